/**
 * What each dualpipe role's MySQL account may do, and why: the least set with which its job
 * (run as that account in test/src/ops/grants-roles.test.ts) still succeeds. Pure data.
 *
 * Not a role: `migrate`, `seed`, `capture install|remove` and `doctor` are DBA jobs (DDL on the
 * source, triggers) and run as an administrative account.
 */
import { CHANGE_LOG_TABLE } from '../../sync/capture/capture-sql.js';
import { HISTORY_TABLE } from '../../src/history/run-history.js';
import type { CaptureMethod } from '../../sync/capture/capture-method.js';
import { REPLICA_STATUS_PRIVILEGE } from './replica-status-grant.js';

/** The roles, one least-privilege account each. */
export const ROLES = ['writer', 'sync', 'analyst', 'backup', 'restore'] as const;
/** One of `ROLES`. */
export type Role = (typeof ROLES)[number];

/** The environment variable that supplies a role's password (here, beside the roles: `dualpipe grants --help` names them without loading the grant planner). */
export const passwordEnv = (role: Role) => `DUALPIPE_${role.toUpperCase()}_PASSWORD`;

/**
 * Where a grant applies:
 * - `source` / `report`: every table of that schema;
 * - `source-table` / `report-table`: one table of it (`table`);
 * - `internal` / `internal-table`: the report schema's internal schema (`<report>__dualpipe`,
 *   src/catalog/internal-schema.ts: shadow set, run history, journal, freshness), or one table of it;
 * - `source-internal`: the source's internal schema (`<source>__dualpipe`): the erasure ledger
 *   (src/erasure/ledger-tables.ts) and the unarchive markers;
 * - `staging`: the schemas a restore derives from the source's name (`crm__dp_restore`,
 *   `crm__dp_previous`, `crm__dp_rollback`, and the `crm__dp_rtest_*` of restore tests);
 * - `global`: `*.*` on the source server;
 * - `system-table`: one table of the source server's `mysql` schema (`table`), when it exists.
 */
export type GrantScope =
  | 'source'
  | 'report'
  | 'source-table'
  | 'report-table'
  | 'internal'
  | 'internal-table'
  | 'source-internal'
  | 'staging'
  | 'global'
  | 'system-table';

/** One grant a role needs: privileges on a scope, and why. */
export interface RoleGrant {
  scope: GrantScope;
  privileges: readonly string[];
  /** The table of a `source-table` or `report-table` grant. */
  table?: string;
  /** One line for the DBA: why the job needs this. */
  why: string;
  /** A table-level grant on a table that may not exist yet (MySQL refuses GRANT on a missing table without CREATE). */
  ifTableExists?: boolean;
  /** Granted only when the pipeline's change capture is this method (capture-method.ts). */
  capture?: CaptureMethod;
  /** Granted only on a server whose replica status needs its own privilege (replica-status-grant.ts). */
  replicaStatus?: true;
}


/** Everything a job does to tables it owns: build, fill, rename, drop. */
const BUILD = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'DROP', 'ALTER', 'INDEX'] as const;

/** The privileges each role needs, and why. */
export const ROLE_GRANTS: Readonly<Record<Role, readonly RoleGrant[]>> = {
  writer: [
    { scope: 'source', privileges: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'], why: 'the CRM application: rows only, no DDL' },
  ],
  sync: [
    { scope: 'source', privileges: ['SELECT'], why: 'reads every source table in one consistent snapshot' },
    {
      scope: 'source',
      privileges: ['TRIGGER'],
      capture: 'triggers',
      // information_schema.TRIGGERS (and SHOW TRIGGERS) list only the triggers of tables the account
      // has TRIGGER on: without it an incremental sync sees no capture triggers and falls back to full.
      why: 'to see the change-capture triggers in information_schema.TRIGGERS (no row of the source can be written with it)',
    },
    {
      scope: 'source-table',
      table: CHANGE_LOG_TABLE,
      privileges: ['DELETE'],
      why: 'trims the change log rows it consumed: the only source write of a sync',
      ifTableExists: true,
      capture: 'triggers',
    },
    {
      scope: 'global',
      privileges: ['REPLICATION SLAVE'],
      capture: 'binlog',
      // What a replica's account holds: it reads the binary log and nothing else (no row, no schema).
      why: 'reads the row events of the binary log, as a replica does (binlog change capture: no trigger, no SUPER)',
    },
    {
      scope: 'global',
      privileges: [REPLICA_STATUS_PRIVILEGE],
      replicaStatus: true,
      why: '--max-lag reads SHOW REPLICA STATUS on this replica (MariaDB grants it apart from REPLICATION CLIENT)',
    },
    {
      scope: 'global',
      privileges: ['PROCESS'],
      why: 'reads InnoDB table ids (information_schema.INNODB_TABLES / INNODB_SYS_TABLES) to notice a TRUNCATE',
    },
    {
      scope: 'global',
      privileges: ['REPLICATION CLIENT'],
      why: 'reads the binlog position and the binary logs kept (SHOW BINARY LOG STATUS / SHOW MASTER STATUS, SHOW BINARY LOGS): where a point-in-time recovery starts and where binlog capture resumes',
    },
    {
      scope: 'system-table',
      table: 'gtid_executed',
      privileges: ['SELECT'],
      // MySQL only (MariaDB has no such table, and records its snapshot's position without it).
      why: 'reads, inside the snapshot, the GTID set it holds (MySQL): the exact start of a point-in-time recovery',
      ifTableExists: true,
    },
    {
      scope: 'report',
      privileges: [...BUILD, 'LOCK TABLES', 'CREATE VIEW', 'SHOW VIEW'],
      why: 'builds mirrors and reports under temporary names, renames them in (LOCK TABLES: --strategy lock); defines the dualpipe_freshness view',
    },
    {
      scope: 'internal',
      // Every privilege its job uses there, named one by one (doctor compares them one by one).
      privileges: [...BUILD, 'LOCK TABLES'],
      // The freshness view runs with its definer's privileges (SQL SECURITY DEFINER): the sync account's SELECT here.
      why: "keeps dualpipe's own tables: shadow set, run history, key journal, freshness rows (read by the dualpipe_freshness view)",
    },
  ],
  analyst: [{ scope: 'report', privileges: ['SELECT'], why: 'queries mirrors, reports and the dualpipe_freshness view (no grant on the internal schema)' }],
  backup: [
    { scope: 'report', privileges: ['SELECT', 'LOCK TABLES'], why: 'dumps the mirrors under LOCK TABLES … READ' },
    {
      scope: 'internal-table',
      table: HISTORY_TABLE,
      // CREATE: the backup runs CREATE TABLE IF NOT EXISTS on the history table, which needs it even when the table exists.
      privileges: ['SELECT', 'INSERT', 'UPDATE', 'CREATE'],
      why: 'reads the last sync and records the backup in the run history',
    },
    {
      scope: 'internal',
      // Schema-level, not per table: the ledger tables appear with the first erasure, after the
      // grants were applied, and a backup that could not see them would leave them out in silence.
      // The schema holds copies of what the report schema's SELECT already shows, and the ledger's hashes.
      privileges: ['SELECT'],
      why: "copies the erasure ledger's report-side copy into every backup (erasure-ledger.jsonl)",
    },
  ],
  restore: [
    {
      scope: 'source',
      privileges: [...BUILD, 'REFERENCES', 'TRIGGER'],
      why: 'swaps the restored tables in with one RENAME; takes the capture triggers off and installs them again',
    },
    {
      scope: 'staging',
      privileges: [...BUILD, 'REFERENCES', 'TRIGGER'],
      why: 'creates, loads (LOAD DATA LOCAL) and drops the staging, previous, rollback and merge schemas; TRIGGER: the restore first checks on its staging table that it can put capture triggers back',
    },
    {
      scope: 'source-internal',
      // Append-only: no UPDATE, DELETE or DROP there (the ledger's triggers refuse the first two for everyone).
      privileges: ['SELECT', 'INSERT', 'CREATE', 'TRIGGER'],
      why: 'reads the erasure ledger (forgotten rows are withheld) and appends to it what a backup knew (created, with its append-only triggers, on a fresh server)',
    },
  ],
};

/** Parses `writer,sync,…` (or undefined: every role); unknown names return them for the error. */
export function parseRoles(text: string | undefined): { roles: Role[]; unknown: string[] } {
  if (text === undefined) return { roles: [...ROLES], unknown: [] };
  const names = text.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const unknown = names.filter((n) => !(ROLES as readonly string[]).includes(n));
  const roles = ROLES.filter((r) => names.includes(r));
  return { roles, unknown };
}
