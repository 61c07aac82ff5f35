/**
 * Sessions that dump tables, `threads` at a time. Encoding works on the rows' wire bytes
 * (tsv-block-encoder.ts), cheap enough that one event loop keeps up with the server on these
 * machines; worker threads were tried and measured slower and heavier at scale 1 (2.39 s and
 * 189 MB peak RSS against 2.23 s and 139 MB), and gzip already runs on libuv's thread pool.
 */
import pLimit from 'p-limit';
import type { SqlConnection, SqlConnector } from '../../src/db/connection.js';
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

/** Opens the sessions at once, so that they connect while the caller plans. */
export function createDumpPool(connector: SqlConnector, threads: number): DumpPool {
  const limit = pLimit(threads);
  const idle: Promise<SqlConnection>[] = Array.from({ length: threads }, () => openSession(connector));
  for (const s of idle) s.catch(() => {});
  const all = new Set<Promise<SqlConnection>>(idle);
  return {
    dump: (task, onChunk, onBytes) =>
      limit(async () => {
        let session = idle.pop();
        if (!session) {
          session = openSession(connector);
          all.add(session);
        }
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
      }),
    async close() {
      const sessions = [...all];
      all.clear();
      idle.length = 0;
      await Promise.all(sessions.map(async (s) => (await s.catch(() => undefined))?.close()));
    },
  };
}
