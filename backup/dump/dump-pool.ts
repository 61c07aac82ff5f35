/**
 * Sessions that dump tables, `threads` at a time. Encoding works on the rows' wire bytes
 * (tsv-block-encoder.ts), cheap enough that one event loop keeps up with the server on these
 * machines; worker threads were tried and measured slower and heavier at scale 1 (2.39 s and
 * 189 MB peak RSS against 2.23 s and 139 MB), and gzip already runs on libuv's thread pool.
 */
import pLimit from 'p-limit';
import type { SqlConnection, SqlConnector } from '../../src/db/connection.js';
import { AbortedError } from '../../src/errors.js';
import { type ChunkResult, type DumpTableTask, dumpTable } from './dump-table.js';

/** The sessions of one backup's dump, shared by its tables (see `createDumpPool`). */
export interface DumpPool {
  /** Dumps one table; `onChunk` hears of each chunk file as it is finished. */
  dump(task: DumpTableTask, onChunk: (r: ChunkResult) => void, onBytes: (n: number) => void): Promise<ChunkResult[]>;
  /** Closes every session the pool opened. */
  close(): Promise<void>;
}

async function openSession(connector: SqlConnector): Promise<SqlConnection> {
  const conn = await connector.connect({ database: null });
  await conn.execute("SET SESSION time_zone = '+00:00', SESSION sql_mode = ''");
  return conn;
}

/**
 * Opens the sessions at once, so that they connect while the caller plans. `close` may come while
 * tables are still dumping (one failed, the others run on): a session mid-query is destroyed, not
 * ended, because mysql2's `end()` waits for the running query, and a paused stream never finishes
 * (a backup onto a full disk hung there, holding the sync lock). After `close` no dump starts.
 */
export function createDumpPool(connector: SqlConnector, threads: number): DumpPool {
  const limit = pLimit(threads);
  const idle: Promise<SqlConnection>[] = Array.from({ length: threads }, () => openSession(connector));
  for (const s of idle) s.catch(() => {});
  const all = new Set<Promise<SqlConnection>>(idle);
  const busy = new Set<Promise<SqlConnection>>();
  let closed = false;
  return {
    dump: (task, onChunk, onBytes) =>
      limit(async () => {
        if (closed || task.signal?.aborted) throw new AbortedError('the dump was stopped');
        let session = idle.pop();
        if (!session) {
          session = openSession(connector);
          all.add(session);
        }
        busy.add(session);
        try {
          const conn = await session;
          try {
            const result = await dumpTable(conn, task, onChunk, onBytes);
            idle.push(session);
            return result;
          } catch (error) {
            // A failed dump may leave rows on the wire: that session is not reused.
            conn.destroy();
            all.delete(session);
            throw error;
          }
        } finally {
          busy.delete(session);
        }
      }),
    async close() {
      closed = true;
      const sessions = [...all];
      all.clear();
      idle.length = 0;
      await Promise.all(
        sessions.map(async (s) => {
          const conn = await s.catch(() => undefined);
          if (busy.has(s)) conn?.destroy();
          else await conn?.close();
        }),
      );
    },
  };
}
