/**
 * The watched connector's races against the watch's verdict: what a stream yielded must not stay
 * reachable from the watch (no server needed: the inner session is a stand-in that yields blocks).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { SqlConnection, SqlConnector } from '../../../src/db/connection.js';
import { StallError } from '../../../src/errors.js';
import { RunWatch } from '../../../src/guard/run-watch.js';
import { watchConnector } from '../../../src/guard/watched-connector.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A session whose streamRaw yields `blocks` fresh 64 KB buffers, then waits on `hold` if given. */
function standIn(blocks: number, hold?: Promise<void>): SqlConnector {
  const conn = {
    threadId: 7,
    query: () => Promise.resolve([]),
    execute: () => Promise.resolve({ affectedRows: 0, insertId: 0, warningStatus: 0, info: '' }),
    async *stream() {},
    async *streamRaw() {
      for (let i = 0; i < blocks; i++) yield Buffer.alloc(64 * 1024, i);
      if (hold) await hold;
    },
    loadInfile: () => Promise.resolve({ affectedRows: 0, insertId: 0, warningStatus: 0, info: '' }),
    close: () => Promise.resolve(),
    destroy: () => {},
  } as unknown as SqlConnection;
  const connector: SqlConnector = { target: { host: 'stand-in', port: 0, user: 'x' }, label: 'stand-in', connect: () => Promise.resolve(conn) };
  return connector;
}

describe('watchConnector', () => {
  it('leaves nothing a stream yielded reachable from the watch (a backup kept every block)', async () => {
    const watch = new RunWatch({ stallTimeoutMs: 60_000, tickMs: 0 });
    const conn = await watchConnector(standIn(200), watch).connect({ database: null });
    const refs: WeakRef<Buffer>[] = [];
    for await (const block of conn.streamRaw('SELECT 1', { row: () => false, take: () => [] })) refs.push(new WeakRef(block as Buffer));
    expect(refs).toHaveLength(200);
    await new Promise((r) => setTimeout(r, 0));
    gc();
    await new Promise((r) => setTimeout(r, 0));
    gc();
    // Promise.race([next, watch.tripped]) kept all 200 (the reaction on `tripped` held each value).
    expect(refs.filter((r) => r.deref() !== undefined).length).toBeLessThan(5);
    watch.stop();
  });

  it('still fails a waiting stream at once when the watch stops the run', async () => {
    let now = 1_000_000;
    const watch = new RunWatch({ stallTimeoutMs: 0, maxRuntimeMs: 1000, tickMs: 0, now: () => now });
    const conn = await watchConnector(standIn(1, new Promise(() => {})), watch).connect({ database: null });
    const read = (async () => {
      for await (const _ of conn.streamRaw('SELECT 1', { row: () => false, take: () => [] })) void _;
    })();
    const outcome = read.then(() => 'ended', (e: unknown) => e);
    await new Promise((r) => setTimeout(r, 10));
    now += 2000;
    await watch.tick();
    await expect(watch.tripped).rejects.toBeInstanceOf(StallError);
    expect(await outcome).toBeInstanceOf(StallError);
  });
});
