/**
 * Runs chunk dumps on worker threads (one session each) when the compiled worker exists, and on
 * the main thread otherwise (tests run the TypeScript sources, where no worker script is built).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import pLimit from 'p-limit';
import type { ConnectionTarget, SqlConnector } from '../src/db/connection.js';
import { type ChunkResult, dumpChunk } from './dump-chunk.js';
import type { DumpTask } from './dump-worker.js';
import { fsyncPath } from './write-manifest.js';

export interface DumpPool {
  dump(task: Omit<DumpTask, 'id'>, onBytes: (n: number) => void): Promise<ChunkResult>;
  close(): Promise<void>;
  readonly threaded: boolean;
}

const workerFile = fileURLToPath(new URL('./dump-worker.js', import.meta.url));

export function createDumpPool(connector: SqlConnector, threads: number, options: { forceInline?: boolean } = {}): DumpPool {
  if (options.forceInline || !existsSync(workerFile)) return inlinePool(connector, threads);
  return threadPool(connector.target, threads);
}

function inlinePool(connector: SqlConnector, threads: number): DumpPool {
  const limit = pLimit(threads);
  return {
    threaded: false,
    dump: (task, onBytes) =>
      limit(async () => {
        const conn = await connector.connect({ database: null });
        try {
          await conn.execute("SET SESSION time_zone = '+00:00', SESSION sql_mode = ''");
          const r = await dumpChunk(conn, task.sql, null, task.path, { gzip: task.gzip, parts: task.parts, onBytes });
          await fsyncPath(task.path);
          return r;
        } finally {
          await conn.close();
        }
      }),
    close: async () => {},
  };
}

function threadPool(target: ConnectionTarget, threads: number): DumpPool {
  // A small young generation keeps each thread's heap, and so the process RSS, bounded.
  const workers = Array.from(
    { length: threads },
    () => new Worker(workerFile, { workerData: { target }, resourceLimits: { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 64 } }),
  );
  const idle = [...workers];
  const queue: (() => void)[] = [];
  const pending = new Map<number, { resolve: (r: ChunkResult) => void; reject: (e: Error) => void; onBytes: (n: number) => void }>();
  let nextId = 1;
  for (const w of workers) {
    w.on('message', (m: { id: number; result?: ChunkResult; error?: string; progressBytes?: number }) => {
      const p = pending.get(m.id);
      if (!p) return;
      if (m.progressBytes !== undefined) return p.onBytes(m.progressBytes);
      pending.delete(m.id);
      idle.push(w);
      queue.shift()?.();
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.result!);
    });
    w.on('error', (e) => {
      for (const p of pending.values()) p.reject(e);
      pending.clear();
    });
  }
  const take = async (): Promise<Worker> => {
    while (idle.length === 0) await new Promise<void>((r) => queue.push(r));
    return idle.shift()!;
  };
  return {
    threaded: true,
    async dump(task, onBytes) {
      const w = await take();
      const id = nextId++;
      return new Promise<ChunkResult>((resolve, reject) => {
        pending.set(id, { resolve, reject, onBytes });
        w.postMessage({ ...task, id });
      });
    },
    async close() {
      await Promise.all(workers.map((w) => new Promise<void>((r) => {
        w.once('exit', () => r());
        w.postMessage('close');
        setTimeout(() => void w.terminate(), 5_000).unref();
      })));
    },
  };
}
