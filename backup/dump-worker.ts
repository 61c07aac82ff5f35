/**
 * A worker thread that dumps chunks: encoding rows is CPU work in Node, and one event loop is the
 * limit of a backup, so each thread has its own session and encodes on its own core. The target
 * (with any password) arrives through workerData, never argv or the environment.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ConnectionTarget, SqlConnection } from '../src/db/connection.js';
import { createConnector } from '../src/db/mysql-driver.js';
import { dumpChunk } from './dump-chunk.js';
import { fsyncPath } from './write-manifest.js';

export interface DumpTask {
  id: number;
  sql: string;
  /** Segments of the chunk query (encode-sql.ts). */
  parts: ('joined' | 'text')[];
  path: string;
  gzip: boolean;
}

const target = (workerData as { target: ConnectionTarget }).target;
let conn: SqlConnection | undefined;

parentPort!.on('message', (task: DumpTask | 'close') => {
  void (async () => {
    if (task === 'close') {
      await conn?.close();
      parentPort!.close();
      return;
    }
    try {
      if (!conn) {
        conn = await createConnector(target).connect({ database: null });
        await conn.execute("SET SESSION time_zone = '+00:00', SESSION sql_mode = ''");
      }
      const result = await dumpChunk(conn, task.sql, null, task.path, {
        gzip: task.gzip,
        parts: task.parts,
        onBytes: (n) => parentPort!.postMessage({ id: task.id, progressBytes: n }),
      });
      await fsyncPath(task.path);
      parentPort!.postMessage({ id: task.id, result });
    } catch (error) {
      parentPort!.postMessage({ id: task.id, error: (error as Error).message });
    }
  })();
});
