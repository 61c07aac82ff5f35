/**
 * Reads what `dualpipe status` shows from the servers: the run history rows `computeStatus` needs
 * and the holder of the sync lock. The decisions are in status.ts (and status-check.ts).
 */
import type { SqlConnection } from '../src/db/connection.js';
import { withSession } from '../src/db/with-session.js';
import { MissingSchemaError } from '../src/errors.js';
import { HISTORY_TABLE, historyToRead } from '../src/history/run-history.js';
import { readLockHolder, RUNNING_WINDOW } from '../src/history/lock-holder.js';
import { lockName } from '../src/lock/run-lock.js';
import type { Pipeline } from '../src/pipeline.js';
import { readArchiveStatus } from './archive/archive-status.js';
import { computeStatus, type HistoryRow, type PipelineStatus, RECENT_SYNCS } from './status.js';

/** The kinds of run the history holds; `status` reads the newest of each. */
export const RUN_KINDS = ['sync', 'verify', 'backup', 'copy', 'prune', 'restore', 'check', 'backup-verify', 'archive'] as const;

/**
 * Reads the rows `computeStatus` needs, kind by kind (on the (kind, started_at) index), so that a
 * daily backup is not pushed out of view by hundreds of incremental syncs since.
 */
export async function readStatus(
  conn: SqlConnection,
  reportSchema: string,
  now: Date,
  maxAgeSeconds?: number,
): Promise<PipelineStatus> {
  // A busy lock is read whether or not there is a history yet: the first sync holds it too.
  const holder = (await readLockHolder(conn, lockName('sync', reportSchema), reportSchema).catch(() => undefined)) ?? null;
  const history = await historyToRead(conn, reportSchema);
  if (!history) return computeStatus(reportSchema, [], now, maxAgeSeconds, holder);
  const columns = await conn.query<{ c: string }>('SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [
    history.schema,
    HISTORY_TABLE,
  ]);
  const holderColumn = columns.some((r) => r.c === 'holder') ? 'holder' : 'NULL AS holder';
  const table = history.table;
  // ORDER BY started_at walks the (kind, started_at) index backwards; id breaks ties.
  const pick = (where: string, limit: number) =>
    conn.query<HistoryRow>(
      `SELECT id, kind, status, strategy, started_at, finished_at, details, error, ${holderColumn} FROM ${table}
        WHERE ${where} ORDER BY started_at DESC, id DESC LIMIT ${limit}`,
    );
  const parts: HistoryRow[][] = [];
  for (const [where, limit] of [
    ["kind = 'sync'", RECENT_SYNCS],
    // Enough successful syncs to find every table, including those only a `sync --tables` run rebuilt lately.
    ["kind = 'sync' AND status = 'succeeded'", 50],
    ["kind = 'backup' AND status = 'succeeded'", 1],
    ["kind = 'backup-verify' AND finished_at IS NOT NULL", 50],
    ["kind = 'backup-verify' AND status = 'succeeded' AND details LIKE '%\"restoreTest\":true%'", 1],
    ["kind = 'verify' AND finished_at IS NOT NULL", 1],
    // The last outcome of each kind.
    ...RUN_KINDS.map((k) => [`kind = '${k}' AND finished_at IS NOT NULL`, 1] as const),
  ] as const)
    parts.push(await pick(where, limit));
  // Runs in progress: among the newest runs by id (the primary key: a bounded read), since a long
  // backup may be followed by many later runs, each kept out by its lock and recorded as failed.
  parts.push(
    await conn.query<HistoryRow>(
      `SELECT * FROM (SELECT id, kind, status, strategy, started_at, finished_at, details, error, ${holderColumn} FROM ${table}
        ORDER BY id DESC LIMIT ${RUNNING_WINDOW}) newest WHERE status = 'running'`,
    ),
  );
  const byId = new Map<number, HistoryRow>();
  for (const r of parts.flat()) byId.set(Number(r.id), { ...r, id: Number(r.id) });
  const rows = [...byId.values()].sort((a, b) => b.id - a.id);
  return computeStatus(reportSchema, rows, now, maxAgeSeconds, holder);
}

/** Options of `pipelineStatus`. */
export interface StatusOptions {
  /** The time ages are measured against (default: now). */
  now?: Date;
  /** Tables older than this many seconds are listed as stale. */
  maxAgeSeconds?: number;
}

/**
 * `dualpipe status` as one call: reads the run history in the pipeline's report schema, and the
 * archive on the source server when the source is given. Throws
 * MissingSchemaError when the source schema (given with the pipeline) does not exist: a misspelt
 * name must not read as "no sync yet". A missing report schema is only that: no sync yet.
 */
export async function pipelineStatus(
  pipeline: Pick<Pipeline, 'report' | 'reportSchema'> & Partial<Pick<Pipeline, 'source' | 'sourceSchema'>>,
  options: StatusOptions = {},
): Promise<PipelineStatus> {
  const { source, sourceSchema } = pipeline;
  if (source && sourceSchema !== undefined) {
    const found = await withSession(source, (c) => c.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [sourceSchema]));
    if (found.length === 0) throw new MissingSchemaError(sourceSchema, { hint: 'fix the schema name in --source (or the config)' });
  }
  const conn = await pipeline.report.connect({ database: null });
  let status: PipelineStatus;
  try {
    status = await readStatus(conn, pipeline.reportSchema, options.now ?? new Date(), options.maxAgeSeconds);
  } finally {
    await conn.close();
  }
  if (!source || sourceSchema === undefined) return status;
  // The archive lives on the source server, beside the schema it was moved out of.
  return { ...status, archive: await withSession(source, (c) => readArchiveStatus(c, sourceSchema)) };
}
