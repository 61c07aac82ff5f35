/**
 * `dualpipe doctor`, per role: does each `<prefix><role>` account hold exactly what its role needs
 * (role-privileges.ts, planned as `dualpipe grants` would)? Pass when it does, fail when it lacks a
 * needed privilege (its job will be refused), warn when it has more than its role or is missing.
 * Read from information_schema's privilege tables, which show every account to an administrative
 * one (doctor is a DBA job).
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { quoteId } from '../../src/db/quote.js';
import { InternalError } from '../../src/errors.js';
import type { DoctorCheck } from './doctor-check.js';
import { planGrants } from '../grants/grant-plan.js';
import { readGrantTables } from '../grants/grant-tables.js';
import { needsReplicaStatusGrant } from '../grants/replica-status-grant.js';
import { type Role, ROLES } from '../grants/role-privileges.js';
import type { Pipeline } from '../../src/pipeline.js';
import type { CaptureMethod } from '../../sync/capture/capture-method.js';

/** Options of `checkRoleAccounts`: the servers to look at and how the role accounts are named. */
export interface RoleCheckOptions {
  /** The source and report sides (see src/pipeline.ts). */
  pipeline: Pipeline;
  /** Account names are `<prefix><role>` (default `dp_`, as `dualpipe grants`). */
  prefix?: string;
  /** The pipeline's change capture: which sync grants are its role's (default triggers). */
  capture?: CaptureMethod;
}

/** Where a privilege applies, as GRANT writes it. */
type Target = { level: 'global' } | { level: 'schema'; pattern: string } | { level: 'table'; schema: string; table: string };

const ID = '`((?:[^`]|``)+)`';
const unquote = (s: string) => s.replaceAll('``', '`');

/** Reads back the `on` of a planned grant: `*.*`, `` `s`.* `` or `` `s`.`t` ``. */
function parseOn(on: string): Target {
  if (on === '*.*') return { level: 'global' };
  const schema = new RegExp(`^${ID}\\.\\*$`).exec(on);
  if (schema) return { level: 'schema', pattern: unquote(schema[1]!) };
  const table = new RegExp(`^${ID}\\.${ID}$`).exec(on);
  if (table) return { level: 'table', schema: unquote(table[1]!), table: unquote(table[2]!) };
  // `on` comes from planGrants, which writes only these three shapes (grant-plan.ts).
  throw new InternalError('doctor parseOn', `cannot read the grant target ${on}`);
}

const showTarget = (t: Target) =>
  t.level === 'global' ? '*.*' : t.level === 'schema' ? `${quoteId(t.pattern)}.*` : `${quoteId(t.schema)}.${quoteId(t.table)}`;

/** Whether a database-level grant's schema text (with `_`/`%` wildcards unless literal) names `schema`. */
function schemaMatches(pattern: string, schema: string, wildcards: boolean): boolean {
  if (!wildcards) return pattern === schema;
  const literal = (ch: string) => ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) re += literal(pattern[++i]!);
    else if (ch === '%') re += '.*';
    else if (ch === '_') re += '.';
    else re += literal(ch);
  }
  return new RegExp(`^${re}$`, 'su').test(schema);
}

/** The literal schema a database-level grant text names, when it names exactly one. */
function literalSchema(pattern: string, wildcards: boolean): string | undefined {
  if (!wildcards) return pattern;
  if (/(^|[^\\])(\\\\)*[%_]/.test(pattern)) return undefined;
  return pattern.replace(/\\(.)/g, '$1');
}

/** Whether holding `priv` on `held` gives it on `needed`. */
function covers(held: Target, needed: Target, wildcards: boolean): boolean {
  if (held.level === 'global') return true;
  if (needed.level === 'global') return false;
  if (held.level === 'table') return needed.level === 'table' && held.schema === needed.schema && held.table === needed.table;
  if (needed.level === 'schema') {
    if (held.pattern === needed.pattern) return true;
    const literal = literalSchema(needed.pattern, wildcards);
    return literal !== undefined && schemaMatches(held.pattern, literal, wildcards);
  }
  return schemaMatches(held.pattern, needed.schema, wildcards);
}

interface Privilege {
  target: Target;
  privilege: string;
}

/** Everything an account holds, from information_schema (USAGE is no privilege). */
async function readPrivileges(conn: SqlConnection, grantee: string): Promise<Privilege[]> {
  const out: Privilege[] = [];
  const add = (target: Target, p: string, grantable: string) => {
    // MariaDB 10.5+ made REPLICATION CLIENT an alias of BINLOG MONITOR and lists the grant by that name.
    if (p !== 'USAGE') out.push({ target, privilege: p === 'BINLOG MONITOR' ? 'REPLICATION CLIENT' : p });
    if (grantable === 'YES') out.push({ target, privilege: 'GRANT OPTION' });
  };
  type Row = { p: string; g: string; s?: string; t?: string; c?: string };
  for (const r of await conn.query<Row>('SELECT PRIVILEGE_TYPE AS p, IS_GRANTABLE AS g FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?', [grantee]))
    add({ level: 'global' }, r.p, r.g);
  for (const r of await conn.query<Row>(
    'SELECT TABLE_SCHEMA AS s, PRIVILEGE_TYPE AS p, IS_GRANTABLE AS g FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ?',
    [grantee],
  ))
    add({ level: 'schema', pattern: r.s! }, r.p, r.g);
  for (const r of await conn.query<Row>(
    'SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, PRIVILEGE_TYPE AS p, IS_GRANTABLE AS g FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE = ?',
    [grantee],
  ))
    add({ level: 'table', schema: r.s!, table: r.t! }, r.p, r.g);
  // Column grants are never part of a role: listed as extras, on their table.
  for (const r of await conn.query<Row>(
    'SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, COLUMN_NAME AS c, PRIVILEGE_TYPE AS p, IS_GRANTABLE AS g FROM information_schema.COLUMN_PRIVILEGES WHERE GRANTEE = ?',
    [grantee],
  ))
    add({ level: 'table', schema: r.s!, table: r.t! }, `${r.p} (${r.c!})`, r.g);
  return out;
}

interface ServerFacts {
  accounts: { user: string; host: string }[];
  tables: Set<string>;
  wildcards: boolean;
  replicaStatus: boolean;
}

async function readFacts(conn: SqlConnection, o: RoleCheckOptions, prefix: string): Promise<ServerFacts> {
  const users = ROLES.map((r) => `${prefix}${r}`);
  const accounts = await conn.query<{ u: string; h: string }>(
    `SELECT User AS u, Host AS h FROM mysql.user WHERE User IN (${users.map(() => '?').join(', ')}) ORDER BY User, Host`,
    users,
  );
  // MySQL with partial_revokes=ON reads schema names in GRANT literally; MariaDB has no such variable.
  const partial = await conn.query<{ v: string | number }>('SELECT @@GLOBAL.partial_revokes AS v').catch(() => []);
  return {
    accounts: accounts.map((a) => ({ user: a.u, host: a.h })),
    tables: await readGrantTables(conn, o.pipeline.sourceSchema, o.pipeline.reportSchema),
    wildcards: Number(partial[0]?.v ?? 0) !== 1,
    replicaStatus: await needsReplicaStatusGrant(conn),
  };
}

type Check = Omit<DoctorCheck, 'server'>;

/** Compares one account with what its role needs on this server. */
async function checkAccount(conn: SqlConnection, role: Role, account: { user: string; host: string }, needed: Privilege[], wildcards: boolean): Promise<Check> {
  const shown = `'${account.user}'@'${account.host}'`;
  const held = await readPrivileges(conn, shown);
  const lacking = needed.filter((n) => !held.some((h) => h.privilege === n.privilege && covers(h.target, n.target, wildcards)));
  const extra = held.filter(
    (h) => !needed.some((n) => n.privilege === h.privilege && showTarget(n.target) === showTarget(h.target)),
  );
  const list = (ps: Privilege[]) => ps.map((p) => `${p.privilege} ON ${showTarget(p.target)}`).join(', ');
  const fix = `dualpipe grants --apply --roles ${role} (as an administrative account; it resets ${account.user} to exactly its role and keeps its password)`;
  if (lacking.length)
    return {
      name: `role ${role}`,
      verdict: 'fail',
      detail: `${shown} lacks ${list(lacking)}${extra.length ? `; and has more than its role: ${list(extra)}` : ''}`,
      fix,
    };
  if (extra.length) return { name: `role ${role}`, verdict: 'warn', detail: `${shown} has more than its role: ${list(extra)}`, fix };
  return { name: `role ${role}`, verdict: 'pass', detail: `${shown} has exactly the privileges of its role (${needed.length})` };
}

async function checkServerRoles(conn: SqlConnection, o: RoleCheckOptions, prefix: string, server: 'both' | 'source' | 'report'): Promise<Check[]> {
  let facts: ServerFacts;
  try {
    facts = await readFacts(conn, o, prefix);
  } catch (error) {
    return [
      {
        name: 'role accounts',
        verdict: 'warn',
        detail: `cannot read the accounts: ${(error as Error).message}`,
        fix: 'run `dualpipe doctor` as an administrative account (it reads mysql.user and the privilege tables)',
      },
    ];
  }
  const plans = planGrants({
    roles: ROLES,
    sourceSchema: o.pipeline.sourceSchema,
    reportSchema: o.pipeline.reportSchema,
    host: '%',
    prefix,
    passwords: {},
    existing: new Set(ROLES),
    tables: facts.tables,
    wildcards: facts.wildcards,
    replicaStatus: facts.replicaStatus,
    capture: o.capture ?? 'triggers',
    server,
  }).filter((p) => p.grants.length > 0);
  if (!facts.accounts.length)
    return [
      {
        name: 'role accounts',
        verdict: 'warn',
        detail: `no ${prefix}<role> account (${plans.map((p) => p.role).join(', ')}): every job runs as one account`,
        fix: 'dualpipe grants --apply creates one least-privilege account per role (fine to ignore on a test server)',
      },
    ];
  const out: Check[] = [];
  for (const plan of plans) {
    const needed = plan.grants.flatMap((g) => g.privileges.map((privilege) => ({ target: parseOn(g.on), privilege })));
    const accounts = facts.accounts.filter((a) => a.user === plan.user);
    if (!accounts.length)
      out.push({
        name: `role ${plan.role}`,
        verdict: 'warn',
        detail: `no account ${plan.user}: the ${plan.role} job runs as another, broader account`,
        fix: `dualpipe grants --apply --roles ${plan.role}`,
      });
    for (const a of accounts) out.push(await checkAccount(conn, plan.role, a, needed, facts.wildcards));
  }
  return out;
}

/** One check per role account (`role sync`, …) on each server, or one warning when there are none. */
export async function checkRoleAccounts(o: RoleCheckOptions): Promise<DoctorCheck[]> {
  const prefix = o.prefix ?? 'dp_';
  const servers = o.pipeline.sameServer
    ? [{ server: 'both' as const, connector: o.pipeline.source, label: 'source' as const }]
    : [
        { server: 'source' as const, connector: o.pipeline.source, label: 'source' as const },
        { server: 'report' as const, connector: o.pipeline.report, label: 'report' as const },
      ];
  const out: DoctorCheck[] = [];
  for (const s of servers) {
    // A server the other checks could not reach (TLS refused, …) is reported there, not twice.
    const conn = await s.connector.connect({ database: null }).catch(() => undefined);
    if (!conn) continue;
    try {
      out.push(...(await checkServerRoles(conn, o, prefix, s.server)).map((c) => ({ server: s.label, ...c })));
    } finally {
      await conn.close();
    }
  }
  return out;
}
