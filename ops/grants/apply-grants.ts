/**
 * The `dualpipe grants` executor: reads what the plan depends on (existing accounts, tables, how
 * the server reads schema names in GRANT), plans with grant-plan.ts and, with `apply`, runs the
 * statements. Passwords come from DUALPIPE_<ROLE>_PASSWORD or are generated; they never reach a
 * log line or an error, and a generated one is returned only when it was applied (shown once).
 */
import { randomBytes } from 'node:crypto';
import type { SqlConnection } from '../../src/db/connection.js';
import { DualpipeError, UsageError } from '../../src/errors.js';
import { type AccountPlan, type PasswordChoice, planGrants, validateAccountParts } from './grant-plan.js';
import { readGrantTables } from './grant-tables.js';
import { needsReplicaStatusGrant } from './replica-status-grant.js';
import { passwordEnv, type Role } from './role-privileges.js';
import type { Pipeline } from '../../src/pipeline.js';
import { type CaptureMethod, readCaptureMethod } from '../../sync/capture/capture-method.js';

/** Options of `runGrants`. */
export interface GrantsOptions {
  /** The source and report sides (see src/pipeline.ts). */
  pipeline: Pipeline;
  roles: readonly Role[];
  host: string;
  prefix: string;
  /** Where DUALPIPE_<ROLE>_PASSWORD is read. */
  env: Record<string, string | undefined>;
  apply: boolean;
  /** The change capture the sync account is for; default: the method recorded for the report schema. */
  capture?: CaptureMethod;
  generatePassword?: () => string;
}

/**
 * An account plan as `runGrants` returns it: the statements in their printable form only (passwords
 * masked), so the SQL with a password never leaves the executor.
 */
export type ServerAccounts = Omit<AccountPlan, 'statements'> & { statements: string[] };

/** The accounts planned (and, with `apply`, created) per server, and generated passwords. */
export interface GrantsResult {
  applied: boolean;
  /** The change capture the sync account was planned for (`--capture`, or the pipeline's). */
  capture: CaptureMethod;
  /** Per server: `both` when source and report schema share one. */
  servers: { server: 'both' | 'source' | 'report'; label: string; accounts: ServerAccounts[] }[];
  /** Generated passwords, only once applied: the one time they are shown. */
  passwords: { role: Role; user: string; host: string; password: string }[];
}

/** 144 random bits, URL-safe (no quote or backslash to escape). */
export const generatePassword = () => randomBytes(18).toString('base64url');

interface ServerFacts {
  existing: Set<Role>;
  tables: Set<string>;
  wildcards: boolean;
  triggersNeedSuper: boolean;
  replicaStatus: boolean;
}

async function readFacts(conn: SqlConnection, o: GrantsOptions): Promise<ServerFacts> {
  const users = o.roles.map((r) => `${o.prefix}${r}`);
  const rows = await conn
    .query<{ u: string }>(`SELECT User AS u FROM mysql.user WHERE Host = ? AND User IN (${users.map(() => '?').join(', ')})`, [o.host, ...users])
    .catch((error: unknown) => {
      throw new DualpipeError(`cannot read mysql.user: ${(error as Error).message}`, {
        hint: 'run `dualpipe grants` as an administrative account (CREATE USER and GRANT OPTION)',
      });
    });
  const existing = new Set(o.roles.filter((r) => rows.some((x) => x.u === `${o.prefix}${r}`)));
  // MySQL with partial_revokes=ON takes schema names in GRANT literally; MariaDB has no such variable.
  const partial = await conn.query<{ v: string | number }>('SELECT @@GLOBAL.partial_revokes AS v').catch(() => []);
  const binlog = await conn.query<{ b: string | number; t: string | number }>(
    'SELECT @@GLOBAL.log_bin AS b, @@GLOBAL.log_bin_trust_function_creators AS t',
  );
  return {
    existing,
    tables: await readGrantTables(conn, o.pipeline.sourceSchema, o.pipeline.reportSchema),
    wildcards: Number(partial[0]?.v ?? 0) !== 1,
    triggersNeedSuper: Number(binlog[0]?.b) === 1 && Number(binlog[0]?.t) !== 1,
    replicaStatus: await needsReplicaStatusGrant(conn),
  };
}

/** Replaces every known password in a server message (a syntax error quotes the statement). */
function mask(text: string, secrets: readonly string[]): string {
  return secrets.reduce((t, s) => (s ? t.split(s).join('***') : t), text);
}

async function run(conn: SqlConnection, plans: readonly AccountPlan[], secrets: readonly string[]): Promise<void> {
  // quoteString escapes with backslashes: make sure the session reads them as escapes.
  await conn.execute("SET SESSION sql_mode = REPLACE(@@SESSION.sql_mode, 'NO_BACKSLASH_ESCAPES', '')");
  for (const p of plans)
    for (const s of p.statements) {
      try {
        await conn.execute(s.sql);
      } catch (error) {
        // No cause: the driver's error carries the statement text, password included.
        const why = mask(error instanceof Error ? error.message : String(error), secrets);
        throw new DualpipeError(`grants for ${p.account} failed at \`${s.shown}\`: ${why}`, {
          hint:
            'the statements before it were applied; fix the cause and run `dualpipe grants --apply` again ' +
            '(an account created before the failure keeps a generated password that was not shown: set DUALPIPE_<ROLE>_PASSWORD to reset it)',
        });
      }
    }
}

/** Plans (and with `apply` runs) the accounts of `o.roles` on the source and report servers. */
export async function runGrants(o: GrantsOptions): Promise<GrantsResult> {
  validateAccountParts(o.prefix, o.host);
  if (o.roles.length === 0) throw new UsageError('no role to grant', { hint: 'name one or more of writer, sync, analyst, backup, restore' });
  const servers = o.pipeline.sameServer
    ? [{ server: 'both' as const, connector: o.pipeline.source }]
    : [
        { server: 'source' as const, connector: o.pipeline.source },
        { server: 'report' as const, connector: o.pipeline.report },
      ];
  const sessions = await Promise.all(servers.map((s) => s.connector.connect({ database: null })));
  try {
    const facts = await Promise.all(sessions.map((c) => readFacts(c, o)));
    // The method lives beside the report schema (capture-method.ts): the report side's session reads it.
    const capture = o.capture ?? (await readCaptureMethod(sessions[servers.length - 1]!, o.pipeline.reportSchema)).method;
    const passwords: Partial<Record<Role, PasswordChoice>> = {};
    for (const role of o.roles) {
      const env = o.env[passwordEnv(role)];
      if (env !== undefined && env !== '') passwords[role] = { value: env, from: 'env' };
      else if (facts.some((f) => !f.existing.has(role))) {
        if (facts.some((f) => f.existing.has(role)))
          throw new UsageError(`account ${o.prefix}${role}@${o.host} exists on one server only: its password cannot be generated for the other`, {
            hint: `set ${passwordEnv(role)} to its password`,
          });
        passwords[role] = { value: (o.generatePassword ?? generatePassword)(), from: 'generated' };
      }
    }
    const plans = servers.map((s, i) => planGrants({ ...o, sourceSchema: o.pipeline.sourceSchema, reportSchema: o.pipeline.reportSchema, ...facts[i]!, passwords, capture, server: s.server }));
    if (o.apply) {
      const secrets = Object.values(passwords).map((p) => p.value);
      for (let i = 0; i < servers.length; i++) await run(sessions[i]!, plans[i]!, secrets);
    }
    return {
      applied: o.apply,
      capture,
      servers: servers.map((s, i) => ({
        server: s.server,
        label: s.connector.label,
        accounts: plans[i]!.map((p) => ({ ...p, statements: p.statements.map((x) => x.shown) })),
      })),
      passwords: o.apply
        ? o.roles.flatMap((role) => {
            const p = passwords[role];
            return p?.from === 'generated' ? [{ role, user: `${o.prefix}${role}`, host: o.host, password: p.value }] : [];
          })
        : [],
    };
  } finally {
    await Promise.all(sessions.map((c) => c.close()));
  }
}
