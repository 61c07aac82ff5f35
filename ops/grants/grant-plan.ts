/**
 * The `dualpipe grants` planner: roles → the SQL that creates one account per role with only the
 * privileges of role-privileges.ts. Pure (no I/O): the executor (apply-grants.ts) gathers the
 * facts and runs the statements; without --apply the CLI prints them with passwords masked.
 */
import { restoreSchemas } from '../../backup/restore/plan-restore.js';
import { assertPlainName, quoteId, quoteString } from '../../src/db/quote.js';
import { UsageError } from '../../src/errors.js';
import { internalSchemaOf } from '../../src/catalog/internal-schema.js';
import { type GrantScope, type Role, ROLE_GRANTS } from './role-privileges.js';
import type { CaptureMethod } from '../../sync/capture/capture-method.js';

/**
 * The password for one role's account, and whether it came from DUALPIPE_<ROLE>_PASSWORD or was
 * generated.
 */
export interface PasswordChoice {
  value: string;
  from: 'env' | 'generated';
}

/**
 * The facts `planGrants` plans from, gathered by apply-grants.ts: the roles and names, and what the
 * server has and how it reads GRANT.
 */
export interface GrantPlanInput {
  roles: readonly Role[];
  sourceSchema: string;
  reportSchema: string;
  /** The accounts' host part, e.g. `%`, `10.0.0.%`, `localhost`. */
  host: string;
  /** Account names are `<prefix><role>`, e.g. `dp_sync`. */
  prefix: string;
  /** The password to set per role; none for an existing account keeps its password. */
  passwords: Partial<Record<Role, PasswordChoice>>;
  /** Roles whose account exists already on this server. */
  existing: ReadonlySet<Role>;
  /** Tables that exist, as `schema.table`: a grant on a missing table is left out with a note. */
  tables: ReadonlySet<string>;
  /**
   * Whether `_` and `%` in a schema name of a database-level GRANT are wildcards (they are,
   * except on MySQL with partial_revokes=ON, where the name is taken literally).
   */
  wildcards: boolean;
  /** The pipeline's change capture: the sync account reads triggers' change log or the binary log. */
  capture: CaptureMethod;
  /** The server this plan runs on: one holding both schemas, or one of two. */
  server: 'both' | 'source' | 'report';
  /**
   * The source server has the binary log on and log_bin_trust_function_creators=OFF: there only
   * an account with SUPER may create triggers, so a restore cannot put the capture triggers back.
   */
  triggersNeedSuper?: boolean;
  /** This server is a MariaDB replica: reading its replica status (--max-lag) needs its own grant. */
  replicaStatus?: boolean;
}

/** One statement of an account's plan: the SQL to run, and a copy safe to print. */
export interface PlannedStatement {
  sql: string;
  /** The statement as it may be printed or logged: any password replaced by '***'. */
  shown: string;
}

/**
 * One role's account on one server: the grants it gets and why, the statements that make it so, and
 * notes for the DBA (grants left out, steps to take).
 */
export interface AccountPlan {
  role: Role;
  user: string;
  host: string;
  /** `'dp_sync'@'%'` */
  account: string;
  /**
   * The account does not exist yet and is created; an existing one has its privileges revoked and
   * granted afresh.
   */
  created: boolean;
  /** Where the password comes from; `unchanged` for an existing account given none. */
  password: 'generated' | 'env' | 'unchanged';
  grants: { on: string; privileges: string[]; why: string }[];
  statements: PlannedStatement[];
  notes: string[];
}

const PREFIX = /^[A-Za-z][A-Za-z0-9_]{0,23}$/;
const HOST = /^[A-Za-z0-9.%_:/-]{1,255}$/;

/** Checks --prefix and --host; a UsageError names the bad value. */
export function validateAccountParts(prefix: string, host: string): void {
  if (!PREFIX.test(prefix))
    throw new UsageError(`invalid --prefix "${prefix}"`, { hint: 'start with a letter; letters, digits and _ only, at most 24 characters' });
  if (!HOST.test(host))
    throw new UsageError(`invalid --host "${host}"`, { hint: "use a host name, an IP address or a pattern such as '%' or '10.0.0.%'" });
}

/** Escapes `\`, `_` and `%`, which a database-level GRANT reads as wildcards. */
const escapeWildcards = (name: string) => name.replace(/[\\_%]/g, '\\$&');

/** A schema name as a database-level GRANT reads it: `_` and `%` escaped where they are wildcards. */
export function grantSchema(name: string, wildcards: boolean): string {
  return quoteId(wildcards ? escapeWildcards(name) : name);
}

/** The restore's derived schemas, as GRANT targets: one pattern, plus names shortened by a hash. */
function stagingTargets(source: string, wildcards: boolean): string[] {
  const { staging, previous, scratch } = restoreSchemas(source);
  const derived = [staging, previous, scratch].filter((s) => s !== source);
  if (!wildcards) return derived.map((s) => `${quoteId(s)}.*`);
  // One pattern also covers the `<source>__dp_rtest_*` schemas of `backup verify --restore-test`.
  const hashed = derived.filter((s) => !s.startsWith(`${source}__dp_`));
  return [`${quoteId(`${escapeWildcards(`${source}__dp_`)}%`)}.*`, ...hashed.map((s) => `${grantSchema(s, true)}.*`)];
}

const REPORT_SIDE: ReadonlySet<GrantScope> = new Set(['report', 'report-table', 'internal', 'internal-table']);
const onServer = (scope: GrantScope, server: GrantPlanInput['server']) => server === 'both' || (server === 'report') === REPORT_SIDE.has(scope);

/** The schema a scope names (none for `global` and `staging`). */
function scopeSchema(scope: GrantScope, input: GrantPlanInput): string {
  if (scope === 'system-table') return 'mysql';
  if (scope === 'source-internal') return internalSchemaOf(input.sourceSchema);
  if (scope.startsWith('internal')) return internalSchemaOf(input.reportSchema);
  return scope.startsWith('report') ? input.reportSchema : input.sourceSchema;
}

/** Plans every role's account; throws a UsageError on a bad name before any SQL is produced. */
export function planGrants(input: GrantPlanInput): AccountPlan[] {
  validateAccountParts(input.prefix, input.host);
  assertPlainName(input.sourceSchema, 'source schema name');
  assertPlainName(input.reportSchema, 'report schema name');
  return input.roles.map((role) => planAccount(role, input));
}

function planAccount(role: Role, input: GrantPlanInput): AccountPlan {
  const user = `${input.prefix}${role}`;
  const account = `${quoteString(user)}@${quoteString(input.host)}`;
  const exists = input.existing.has(role);
  const pw = input.passwords[role];
  if (!exists && !pw) throw new UsageError(`no password for the new account ${account}`);
  const statements: PlannedStatement[] = [];
  const secret = (verb: string, value: string) => ({
    sql: `${verb} ${account} IDENTIFIED BY ${quoteString(value)}`,
    shown: `${verb} ${account} IDENTIFIED BY '***'`,
  });
  if (!exists) statements.push(secret('CREATE USER IF NOT EXISTS', pw!.value));
  else {
    if (pw) statements.push(secret('ALTER USER', pw.value));
    // Exactly the role's privileges: whatever an earlier grant gave the account goes first.
    const revoke = `REVOKE ALL PRIVILEGES, GRANT OPTION FROM ${account}`;
    statements.push({ sql: revoke, shown: revoke });
  }
  const grants: AccountPlan['grants'] = [];
  const notes: string[] = [];
  for (const g of ROLE_GRANTS[role]) {
    if (!onServer(g.scope, input.server) || (g.capture !== undefined && g.capture !== input.capture)) continue;
    if (g.replicaStatus && !input.replicaStatus) continue;
    const schema = scopeSchema(g.scope, input);
    let targets: string[];
    if (g.scope === 'global') targets = ['*.*'];
    else if (g.scope === 'staging') targets = stagingTargets(input.sourceSchema, input.wildcards);
    else if (g.scope === 'source' || g.scope === 'report' || g.scope === 'internal' || g.scope === 'source-internal') targets = [`${grantSchema(schema, input.wildcards)}.*`];
    else {
      // Table-level grants name the schema literally: no wildcard escaping there.
      if (g.ifTableExists && !input.tables.has(`${schema}.${g.table!}`)) {
        if (g.scope === 'system-table') continue; // not this server's kind (e.g. MariaDB has no mysql.gtid_executed)
        notes.push(`${schema}.${g.table!} does not exist yet: run \`dualpipe grants --apply\` again after \`dualpipe capture install\` (${g.why})`);
        continue;
      }
      targets = [`${quoteId(schema)}.${quoteId(g.table!)}`];
    }
    for (const on of targets) {
      grants.push({ on, privileges: [...g.privileges], why: g.why });
      const sql = `GRANT ${g.privileges.join(', ')} ON ${on} TO ${account}`;
      statements.push({ sql, shown: sql });
    }
  }
  if (role === 'restore' && input.triggersNeedSuper && input.server !== 'report')
    notes.push(
      'the binary log is on and log_bin_trust_function_creators=OFF: this account cannot install the capture triggers again after a swap; ' +
        'SET GLOBAL log_bin_trust_function_creators = 1 (and in my.cnf), or restore as a DBA while capture is installed',
    );
  return {
    role,
    user,
    host: input.host,
    account,
    created: !exists,
    password: pw ? pw.from : 'unchanged',
    grants,
    statements,
    notes,
  };
}
