/**
 * Runs whose process was killed mid-way (kill -9, a power cut) leave their history row `running`
 * for ever. At the start of any recorded run, such rows become `aborted`, but only when the
 * process is certainly gone: never a run that is really still going in another process.
 */
import { hostname } from 'node:os';
import type { SqlConnection } from '../db/connection.js';
import { lockName } from '../lock/run-lock.js';
import { parseHolder, RUNNING_WINDOW } from './lock-holder.js';
import { type KeptFailure, keepFailure, takeKeptFailures } from './kept-failures.js';
import { finishRun, historyTable, startRun } from './run-history.js';

/** The error of a run found dead. */
export const DEAD_RUN_ERROR = 'process ended before the run finished (found at the next start)';

/** The kinds that run under the report schema's sync lock (sync/incremental/verify/backup). */
const SYNC_LOCK_KINDS = new Set(['sync', 'incremental', 'verify', 'backup']);

/** A row without a noted lock holder is only judged after this long: its run may not have taken its lock yet. */
const NO_HOLDER_GRACE_MS = 60_000;

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Marks `running` rows of the history in `schema` whose process is gone as `aborted`; returns
 * their ids. Gone means: on this host, its pid no longer exists; or its noted lock-holder session
 * is no longer in the server's PROCESSLIST (every user sees its own sessions); or, with no holder
 * noted and older than a minute, its kind's lock is free (IS_FREE_LOCK).
 */
export async function markDeadRuns(conn: SqlConnection, schema: string, now: Date): Promise<number[]> {
  await writeKeptFailures(conn, schema);
  const rows = await conn.query<{ id: number | string; kind: string; started_at: string; holder: string | null }>(
    `SELECT id, kind, started_at, holder FROM (SELECT id, kind, status, started_at, holder FROM ${historyTable(schema)}
      ORDER BY id DESC LIMIT ${RUNNING_WINDOW}) newest WHERE status = 'running'`,
  );
  const dead: number[] = [];
  const here = hostname();
  for (const r of rows) {
    const h = parseHolder(r.holder);
    let gone = false;
    if (h && h.host === here && h.pid !== process.pid && processGone(h.pid)) gone = true;
    else if (h?.lockConnection !== null && h?.lockConnection !== undefined) {
      const seen = await conn.query('SELECT ID FROM information_schema.PROCESSLIST WHERE ID = ?', [h.lockConnection]);
      gone = seen.length === 0;
    } else if (SYNC_LOCK_KINDS.has(r.kind) && now.getTime() - new Date(`${String(r.started_at).replace(' ', 'T')}Z`).getTime() > NO_HOLDER_GRACE_MS) {
      const free = await conn.query<{ f: number | string | null }>('SELECT IS_FREE_LOCK(?) AS f', [lockName('sync', schema)]);
      gone = Number(free[0]?.f) === 1;
    }
    if (!gone) continue;
    // `status = 'running'` again: the run may have finished meanwhile.
    const res = await conn.execute(
      `UPDATE ${historyTable(schema)} SET status = 'aborted', finished_at = ?, error = ? WHERE id = ? AND status = 'running'`,
      [now, DEAD_RUN_ERROR, r.id],
    );
    if (res.affectedRows > 0) dead.push(Number(r.id));
  }
  return dead;
}

/** Writes the failures this process could not write when they happened (kept-failures.ts), with their real errors. */
async function writeKeptFailures(conn: SqlConnection, schema: string): Promise<void> {
  const failures: KeptFailure[] = takeKeptFailures(schema);
  for (const [i, f] of failures.entries()) {
    try {
      const id = f.runId ?? (await startRun(conn, schema, { kind: f.kind ?? 'run', startedAt: f.startedAt ?? f.finishedAt, ...(f.strategy ? { strategy: f.strategy } : {}) }));
      await finishRun(conn, schema, id, { status: f.status, finishedAt: f.finishedAt, error: f.error });
    } catch {
      for (const left of failures.slice(i)) keepFailure(left);
      return;
    }
  }
}
