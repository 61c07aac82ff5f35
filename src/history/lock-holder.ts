/**
 * Who holds a run lock, for the line a run kept out by it prints (exit 4) and for `status`.
 * `IS_USED_LOCK` names the holder's server session; the run history's `running` row that noted
 * that session (run-history.ts `holder`) names the run, host and process.
 */
import type { SqlConnection } from '../db/connection.js';
import { HISTORY_TABLE, historyTable, type RunHolder } from './run-history.js';
import { internalSchemaOf } from '../catalog/internal-schema.js';

/** How many of the newest runs (by id) are searched for runs in progress: a bounded read however long the history is. */
export const RUNNING_WINDOW = 1000;

/** The holder of a run lock, as much of it as the server and the history tell. */
export interface LockHolder {
  /** The server session holding the lock. */
  connection: number;
  /** The run, when the history has its `running` row. */
  runId?: number;
  kind?: string;
  host?: string;
  pid?: number;
  /** When the run started (history time, UTC). */
  since?: string;
  /** Without a history row: the client address of the holding session, and its idle seconds. */
  clientHost?: string;
}

/** One line naming the holder: "backup run #12 on db1 (pid 4242) since 2026-11-30 18:02:11". */
export function describeLockHolder(h: LockHolder): string {
  if (h.runId !== undefined) {
    return `${h.kind ?? 'a'} run #${h.runId} on ${h.host ?? '?'} (pid ${h.pid ?? '?'}) since ${h.since?.slice(0, 19) ?? '?'}`;
  }
  return `server session ${h.connection}${h.clientHost ? ` from ${h.clientHost}` : ''}`;
}

/**
 * The holder of lock `name`, read on `conn`; undefined when the lock is free. `historySchema`
 * names where the holder's run is recorded (the report schema), when there is one.
 */
export async function readLockHolder(conn: SqlConnection, name: string, historySchema?: string): Promise<LockHolder | undefined> {
  const used = await conn.query<{ c: number | string | null }>('SELECT IS_USED_LOCK(?) AS c', [name]);
  const connection = used[0]?.c === null || used[0]?.c === undefined ? undefined : Number(used[0].c);
  if (connection === undefined) return undefined;
  const holder: LockHolder = { connection };
  if (historySchema !== undefined) {
    const exists = await conn.query(
      "SELECT 1 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME = 'holder'",
      [internalSchemaOf(historySchema), HISTORY_TABLE],
    );
    if (exists.length > 0) {
      const rows = await conn.query<{ id: number; kind: string; started_at: string; holder: string | null }>(
        `SELECT id, kind, started_at, holder FROM (SELECT id, kind, status, started_at, holder FROM ${historyTable(historySchema)}
          ORDER BY id DESC LIMIT ${RUNNING_WINDOW}) newest WHERE status = 'running' AND holder IS NOT NULL ORDER BY id DESC`,
      );
      for (const r of rows) {
        const h = parseHolder(r.holder);
        if (h?.lockConnection !== connection) continue;
        return { connection, runId: Number(r.id), kind: r.kind, host: h.host, pid: h.pid, since: String(r.started_at) };
      }
    }
  }
  // Another user's session is only listed with the PROCESS privilege: without it the id must do.
  const proc = await conn
    .query<{ HOST: string | null }>('SELECT HOST FROM information_schema.PROCESSLIST WHERE ID = ?', [connection])
    .catch(() => []);
  if (proc[0]?.HOST) holder.clientHost = proc[0].HOST;
  return holder;
}

/** A history row's holder, or undefined when it is not one (written by another version, damaged). */
export function parseHolder(text: string | null): RunHolder | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as Partial<RunHolder> | null;
    if (!v || typeof v.host !== 'string' || typeof v.pid !== 'number') return undefined;
    return { host: v.host, pid: v.pid, lockConnection: typeof v.lockConnection === 'number' ? v.lockConnection : null };
  } catch {
    return undefined;
  }
}

/**
 * For `acquireRunLock`'s `describeHolder`: names the holder of a busy lock from the run history in
 * `historySchema` (best effort: undefined when it cannot be read).
 */
export function holderInHistory(historySchema: string): (session: SqlConnection, name: string) => Promise<string | undefined> {
  return async (session, name) => {
    const h = await readLockHolder(session, name, historySchema).catch(() => undefined);
    return h ? describeLockHolder(h) : undefined;
  };
}
