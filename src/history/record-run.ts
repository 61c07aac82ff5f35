/**
 * Records a run of any kind (backup, copy, prune, restore, check, verify) in the run history:
 * a `running` row when it starts, its outcome when it ends, failures included, so that `status`
 * never shows the last good run as if nothing had happened since. The history is written on short
 * sessions of its own: a run that lasts hours keeps no idle session open (wait_timeout would close
 * it), and the run's own sessions may hold table locks that forbid writing to other tables.
 */
import type { SqlConnection, SqlConnector } from '../db/connection.js';
import { markDeadRuns } from './dead-runs.js';
import { failureOf, keepFailure, markRecorded, wasRecorded } from './kept-failures.js';
import { ensureHistoryTable, finishRun, noteLockHolder, recordFailedRun, type RunStatus, startRun } from './run-history.js';

/** Where runs are recorded: the report server and schema (a `Pipeline` fits). */
export interface HistoryPlace {
  report: SqlConnector;
  reportSchema: string;
}

/** A run being recorded, as its body sees it. */
export interface RecordedRun {
  /** The run's id in the history; null when there is no report schema to record in. */
  readonly id: number | null;
  /** Notes the session that holds the run lock, so a run kept out by the lock can name this one. */
  holdsLock(lock: { session: { threadId: number } }): Promise<void>;
}

/** How a run that returned ended, from its result (default: succeeded, no details). */
export interface RunOutcome {
  status?: RunStatus;
  details?: unknown;
  error?: string;
}

/** Describes a recorded run. */
export interface RecordRunOptions {
  kind: string;
  strategy?: string;
  clock?: () => Date;
  /**
   * The run does not need the report server (prune, a restore into another server): a history that
   * cannot be written leaves the run unrecorded instead of failing it.
   */
  bestEffort?: boolean;
}

/**
 * Runs `body` recorded in the history of `place`: `running`, then its outcome (`outcome(result)`),
 * or `failed`/`aborted` with the error when it throws (the error is rethrown unchanged). Nothing is
 * recorded when the report schema does not exist (it is not created for a history row).
 */
export async function recordRun<T>(
  place: HistoryPlace,
  run: RecordRunOptions,
  body: (run: RecordedRun) => Promise<T>,
  outcome: (result: T) => RunOutcome = () => ({}),
): Promise<T> {
  const clock = run.clock ?? (() => new Date());
  const schema = place.reportSchema;
  const withConn = async <R>(f: (c: SqlConnection) => Promise<R>): Promise<R> => {
    const conn = await place.report.connect({ database: null });
    try {
      return await f(conn);
    } finally {
      await conn.close();
    }
  };
  const start = withConn(async (conn) => {
    const found = await conn.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [schema]);
    if (found.length === 0) return null;
    await ensureHistoryTable(conn, schema);
    // Best effort: a history that cannot be tidied never stops a run.
    await markDeadRuns(conn, schema, clock()).catch(() => []);
    return startRun(conn, schema, { kind: run.kind, startedAt: clock(), ...(run.strategy ? { strategy: run.strategy } : {}) });
  });
  const id = run.bestEffort ? await start.catch(() => null) : await start;
  const handle: RecordedRun = {
    id,
    async holdsLock(lock) {
      if (id === null) return;
      await withConn((conn) => noteLockHolder(conn, schema, id, lock.session.threadId)).catch(() => {});
    },
  };
  let result: T;
  try {
    result = await body(handle);
  } catch (error) {
    if (id !== null) {
      markRecorded(error);
      const at = clock();
      await withConn((conn) => recordFailedRun(conn, schema, id, error, at)).catch(() =>
        // No session to be had (a frozen or dead server): written at the next start instead.
        keepFailure({ schema, runId: id, ...failureOf(error), finishedAt: at }),
      );
    }
    throw error;
  }
  if (id !== null) {
    const o = outcome(result);
    const finish = withConn((conn) =>
      finishRun(conn, schema, id, {
        status: o.status ?? 'succeeded',
        finishedAt: clock(),
        details: o.details,
        ...(o.error !== undefined ? { error: o.error } : {}),
      }),
    );
    await (run.bestEffort ? finish.catch(() => {}) : finish);
  }
  return result;
}

/** A run that failed before it could write its own history row (the server was down, say). */
export interface UnrecordedFailure {
  kind: string;
  strategy?: string;
  startedAt: Date;
  error: unknown;
}

/**
 * Records a run that never got into the history: written now on a session of its own when the
 * report server answers, else kept and written at the next recorded run's start (kept-failures.ts).
 * Does nothing for an error whose run is already recorded.
 */
export async function recordUnrecordedFailure(place: HistoryPlace, f: UnrecordedFailure, clock: () => Date = () => new Date()): Promise<void> {
  if (wasRecorded(f.error)) return;
  markRecorded(f.error);
  const failure = {
    schema: place.reportSchema,
    runId: null,
    kind: f.kind,
    ...(f.strategy ? { strategy: f.strategy } : {}),
    startedAt: f.startedAt,
    ...failureOf(f.error),
    finishedAt: clock(),
  };
  try {
    const conn = await place.report.connect({ database: null });
    try {
      const found = await conn.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [place.reportSchema]);
      if (found.length === 0) return;
      await ensureHistoryTable(conn, place.reportSchema);
      const id = await startRun(conn, place.reportSchema, { kind: f.kind, startedAt: f.startedAt, ...(f.strategy ? { strategy: f.strategy } : {}) });
      await finishRun(conn, place.reportSchema, id, { status: failure.status, finishedAt: failure.finishedAt, error: failure.error });
    } finally {
      conn.destroy();
    }
  } catch {
    keepFailure(failure);
  }
}
