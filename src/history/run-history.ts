/**
 * The run history: a small InnoDB table in the report schema's internal schema (internal-schema.ts;
 * InnoDB so that a crash never leaves a torn history row). One row per sync or verify run. Every
 * function here takes the REPORT schema and finds the table in its internal schema.
 */
import { hostname } from 'node:os';
import type { SqlConnection } from '../db/connection.js';
import { qualify } from '../db/quote.js';
import { ensureInternalSchema, internalSchemaOf } from '../catalog/internal-schema.js';
import { failureOf, keepFailure, markRecorded } from './kept-failures.js';

/** The run history table's name, in the internal schema of the report schema. */
export const HISTORY_TABLE = '_dualpipe_runs';

/** The run history table of `reportSchema`, qualified (it lives in the internal schema). */
export const historyTable = (reportSchema: string) => qualify(internalSchemaOf(reportSchema), HISTORY_TABLE);

/**
 * A run's state in the history: `running` until it ends; `aborted` when it was interrupted or its
 * process died (`markAbandonedRuns`).
 */
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'aborted';

/** One run of the history: a sync, verify, backup or backup verification. */
export interface RunRecord {
  id: number;
  kind: string;
  status: RunStatus;
  strategy: string | null;
  startedAt: string;
  finishedAt: string | null;
  details: unknown;
  error: string | null;
}

/**
 * Creates the history table of report schema `schema` (and the internal schema) when missing, and adds `source_state` to one an older
 * dualpipe made.
 */
export async function ensureHistoryTable(conn: SqlConnection, schema: string): Promise<void> {
  await ensureInternalSchema(conn, schema);
  await conn.execute(
    `CREATE TABLE IF NOT EXISTS ${historyTable(schema)} (
       id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
       kind VARCHAR(32) NOT NULL,
       status VARCHAR(16) NOT NULL,
       strategy VARCHAR(16) NULL,
       started_at DATETIME(6) NOT NULL,
       finished_at DATETIME(6) NULL,
       details LONGTEXT NULL,
       source_state LONGTEXT NULL,
       error TEXT NULL,
       holder TEXT NULL,
       KEY kind_started (kind, started_at)
     ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  );
  // Tables created by an older dualpipe lack later columns: add them (portable: no ADD COLUMN IF NOT EXISTS on MySQL).
  for (const [column, after] of [['source_state', 'details'], ['holder', 'error']] as const) {
    const col = await conn.query(
      'SELECT 1 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME = ?',
      [internalSchemaOf(schema), HISTORY_TABLE, column],
    );
    if (col.length === 0) {
      const type = column === 'holder' ? 'TEXT' : 'LONGTEXT';
      await conn.execute(`ALTER TABLE ${historyTable(schema)} ADD COLUMN ${column} ${type} NULL AFTER ${after}`);
    }
  }
}

/**
 * Who runs a run: host and process, and the server session holding its run lock (null until the
 * lock is taken). Stored with the run so that a run kept out by the lock can name the holder.
 */
export interface RunHolder {
  host: string;
  pid: number;
  /** The server thread id of the session holding the run lock (`IS_USED_LOCK` returns it). */
  lockConnection: number | null;
}

/** This process as a run holder. */
export function thisHolder(lockConnection: number | null = null): RunHolder {
  return { host: hostname(), pid: process.pid, lockConnection };
}

/** Writes a `running` row for a new run and returns its id. */
export async function startRun(
  conn: SqlConnection,
  schema: string,
  run: { kind: string; strategy?: string; startedAt: Date; lockConnection?: number },
): Promise<number> {
  const res = await conn.execute(
    `INSERT INTO ${historyTable(schema)} (kind, status, strategy, started_at, holder) VALUES (?, 'running', ?, ?, ?)`,
    [run.kind, run.strategy ?? null, run.startedAt, JSON.stringify(thisHolder(run.lockConnection ?? null))],
  );
  return res.insertId;
}

/** Notes in a running row which session holds its run lock (when the lock is taken after the row is written). */
export async function noteLockHolder(conn: SqlConnection, schema: string, id: number, lockConnection: number): Promise<void> {
  await conn.execute(`UPDATE ${historyTable(schema)} SET holder = ? WHERE id = ?`, [JSON.stringify(thisHolder(lockConnection)), id]);
}

/**
 * Records how a run ended: its status and end time, its details and source state as JSON, and the
 * error message.
 */
export async function finishRun(
  conn: SqlConnection,
  schema: string,
  id: number,
  outcome: { status: RunStatus; finishedAt: Date; details?: unknown; sourceState?: unknown; error?: string },
): Promise<void> {
  await conn.execute(
    `UPDATE ${historyTable(schema)} SET status = ?, finished_at = ?, details = ?, source_state = ?, error = ? WHERE id = ?`,
    [
      outcome.status,
      outcome.finishedAt,
      JSON.stringify(outcome.details ?? null),
      outcome.sourceState === undefined ? null : JSON.stringify(outcome.sourceState),
      outcome.error ?? null,
      id,
    ],
  );
}

/** Runs left `running` by a killed process become `aborted` (called under the run lock). */
export async function markAbandonedRuns(
  conn: SqlConnection,
  schema: string,
  kind: string,
  now: Date,
): Promise<number> {
  const res = await conn.execute(
    `UPDATE ${historyTable(schema)} SET status = 'aborted', finished_at = ?, error = 'process ended before the run finished'
      WHERE kind = ? AND status = 'running'`,
    [now, kind],
  );
  return res.affectedRows;
}

/**
 * Where to read the run history: the old layout's table in the report schema while it is still
 * there (dualpipe before the internal schema kept it there; the next sync moves it, see
 * sync/shadow/move-to-internal.ts), so `status` and a backup run between an upgrade and that sync
 * still see the earlier runs; else the internal schema's. Undefined when neither exists.
 */
export async function historyToRead(conn: SqlConnection, schema: string): Promise<{ schema: string; table: string } | undefined> {
  const internal = internalSchemaOf(schema);
  const found = (
    await conn.query<{ s: string }>('SELECT TABLE_SCHEMA AS s FROM information_schema.TABLES WHERE TABLE_NAME = ? AND TABLE_SCHEMA IN (?, ?)', [
      HISTORY_TABLE,
      schema,
      internal,
    ])
  ).map((r) => r.s);
  const at = found.includes(schema) ? schema : found.includes(internal) ? internal : undefined;
  return at === undefined ? undefined : { schema: at, table: qualify(at, HISTORY_TABLE) };
}

/** The newest runs of the history, newest first; none when there is no history yet. */
export async function recentRuns(conn: SqlConnection, schema: string, limit = 10): Promise<RunRecord[]> {
  const history = await historyToRead(conn, schema);
  if (!history) return [];
  const rows = await conn.query<{
    id: number;
    kind: string;
    status: RunStatus;
    strategy: string | null;
    started_at: string;
    finished_at: string | null;
    details: string | null;
    error: string | null;
  }>(
    `SELECT * FROM ${history.table} ORDER BY id DESC LIMIT ${Math.max(1, Math.floor(limit))}`,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    kind: r.kind,
    status: r.status,
    strategy: r.strategy,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    details: r.details ? (JSON.parse(r.details) as unknown) : null,
    error: r.error,
  }));
}

/** The newest successful sync with what it recorded about the source; undefined when none. */
export async function lastSucceededSync(
  conn: SqlConnection,
  schema: string,
): Promise<{ id: number; finishedAt: string; details: unknown; sourceState: unknown } | undefined> {
  const history = await historyToRead(conn, schema);
  if (!history) return undefined;
  const rows = await conn.query<{ id: number; finished_at: string; details: string | null; source_state: string | null }>(
    `SELECT id, finished_at, details, source_state FROM ${history.table}
      WHERE kind = 'sync' AND status = 'succeeded' ORDER BY id DESC LIMIT 1`,
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    id: Number(r.id),
    finishedAt: r.finished_at,
    details: r.details ? (JSON.parse(r.details) as unknown) : null,
    sourceState: r.source_state ? JSON.parse(r.source_state) : null,
  };
}

/** Records a run that threw: `aborted` when it was interrupted, `failed` otherwise. Never throws. */
export async function recordFailedRun(conn: SqlConnection, schema: string, runId: number | null, error: unknown, finishedAt: Date): Promise<void> {
  if (runId === null) return;
  markRecorded(error);
  const failure = { ...failureOf(error), finishedAt };
  // A session a watchdog destroyed, or a server gone: the failure is written at the next start.
  await finishRun(conn, schema, runId, failure).catch(() => keepFailure({ schema, runId, ...failure }));
}
