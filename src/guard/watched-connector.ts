/**
 * Puts every session of a connector under a `RunWatch`: each query, execute, stream, streamRaw
 * and loadInfile is an operation of the watch, every row or block that arrives is progress, and
 * every call races the watch's verdict, so a run whose server froze fails at once instead of
 * waiting on a socket that will never speak again.
 */
import type { Readable } from 'node:stream';
import type { ExecResult, RawRowSink, Row, SqlConnection, SqlConnector, StreamOptions } from '../db/connection.js';
import { probeServer } from './probe-server.js';
import type { RunWatch, WatchedOp } from './run-watch.js';

/** How the watched connector probes: its own connector (short connect timeout) and deadline. */
export interface ProbeOptions {
  /** A connector to the same server for probe sessions; default the watched one. */
  connector?: SqlConnector;
  /** The probe's deadline in ms; default 5 000. */
  timeoutMs?: number;
}

/** Per watch, the races waiting on its verdict (see `raceTrip`). */
const waiting = new WeakMap<RunWatch, Set<(error: Error) => void>>();

/**
 * `p`, or the watch's verdict if that comes first. Not `Promise.race([p, watch.tripped])`: each
 * such race leaves a reaction on `tripped`, which stays pending for the whole run, and that
 * reaction keeps the race's settled value reachable: every block a backup streamed stayed in
 * memory (190 MB of buffers at scale 0.25, the whole dump). Here `tripped` gets one reaction per
 * watch, and each race removes its listener when it settles.
 */
function raceTrip<T>(watch: RunWatch, p: Promise<T>): Promise<T> {
  let set = waiting.get(watch);
  if (!set) {
    const fresh = new Set<(error: Error) => void>();
    watch.tripped.catch((error: Error) => {
      for (const fail of [...fresh]) fail(error);
    });
    waiting.set(watch, (set = fresh));
  }
  const listeners = set;
  return new Promise<T>((resolve, reject) => {
    if (watch.failure) {
      reject(watch.failure);
      p.catch(() => {});
      return;
    }
    listeners.add(reject);
    p.then(
      (v) => {
        listeners.delete(reject);
        resolve(v);
      },
      (e: Error) => {
        listeners.delete(reject);
        reject(e);
      },
    );
  });
}

class WatchedConnection implements SqlConnection {
  private readonly forget: () => void;
  constructor(
    private readonly inner: SqlConnection,
    private readonly watch: RunWatch,
    private readonly label: string,
    private readonly probe: (threadId: number) => ReturnType<typeof probeServer>,
  ) {
    this.forget = watch.addSession(inner);
  }

  get threadId(): number {
    return this.inner.threadId;
  }

  private begin(sql: string): WatchedOp {
    return this.watch.begin({ label: this.label, threadId: this.inner.threadId, sql, probe: this.probe });
  }

  private async run<T>(sql: string, f: () => Promise<T>): Promise<T> {
    const op = this.begin(sql);
    try {
      return await raceTrip(this.watch, f());
    } finally {
      op.end();
    }
  }

  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.run(sql, () => this.inner.query<T>(sql, params));
  }

  execute(sql: string, params?: readonly unknown[]): Promise<ExecResult> {
    return this.run(sql, () => this.inner.execute(sql, params));
  }

  loadInfile(sql: string, source: () => Readable): Promise<ExecResult> {
    return this.run(sql, () => this.inner.loadInfile(sql, source));
  }

  stream(sql: string, params?: readonly unknown[], options?: StreamOptions): AsyncIterable<unknown[]> {
    return this.iterate(sql, () => this.inner.stream(sql, params, options));
  }

  streamRaw<T>(sql: string, sink: RawRowSink<T>): AsyncIterable<T> {
    return this.iterate(sql, () => this.inner.streamRaw(sql, sink));
  }

  private async *iterate<T>(sql: string, open: () => AsyncIterable<T>): AsyncGenerator<T> {
    const op = this.begin(sql);
    const it = open()[Symbol.asyncIterator]();
    let done = false;
    try {
      for (;;) {
        const next = await raceTrip(this.watch, it.next());
        if (next.done) {
          done = true;
          return;
        }
        op.progress();
        yield next.value;
      }
    } finally {
      op.end();
      // A consumer that stops early (or a stopped run) ends the inner stream too.
      if (!done && !this.watch.failure) await it.return?.();
    }
  }

  async close(): Promise<void> {
    this.forget();
    if (this.watch.failure) this.inner.destroy();
    else await this.inner.close();
  }

  destroy(): void {
    this.forget();
    this.inner.destroy();
  }
}

/** `connector` with every session watched by `watch`; connecting fails at once once the run is stopped. */
export function watchConnector(connector: SqlConnector, watch: RunWatch, probe: ProbeOptions = {}): SqlConnector {
  const probeConnector = probe.connector ?? connector;
  const timeoutMs = probe.timeoutMs ?? 5000;
  const probeFn = (threadId: number) => probeServer(probeConnector, threadId, timeoutMs);
  return {
    target: connector.target,
    label: connector.label,
    async connect(options) {
      watch.check();
      const connecting = connector.connect(options);
      // A session that opens after the run was stopped is nobody's: close it at once.
      connecting.then((c) => watch.failure && c.destroy(), () => {});
      const conn = await raceTrip(watch, connecting);
      if (watch.failure) conn.destroy();
      watch.check();
      return new WatchedConnection(conn, watch, connector.label, probeFn);
    },
  };
}
