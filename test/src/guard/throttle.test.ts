import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection, SqlConnector } from '../../../src/db/connection.js';
import { ThrottleError } from '../../../src/guard/throttle-error.js';
import { createThrottle } from '../../../src/guard/throttle.js';
import { readReplicaLag, readServerLoad } from '../../../src/guard/server-load.js';
import { onRunEvent, type ThrottlePauseEvent } from '../../../src/log/run-events.js';
import { busyServer } from '../../helpers/busy-server.js';
import { type OwnTestServer, startOwnTestServer } from '../../helpers/own-test-server.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

// Threads_running is server-wide: a server of this file's own, so no other file's sessions count.
let server: OwnTestServer;
let db: TestDatabase;
let probe: SqlConnection;

function logger() {
  const lines: string[] = [];
  const push = (o: object | string, m?: string) => lines.push(m ?? (typeof o === 'string' ? o : ''));
  return { lines, log: { debug: push, info: push, warn: push, error: push } };
}

beforeAll(async () => {
  server = await startOwnTestServer('guard');
  db = await createTestDatabase('throttle', server);
  probe = await db.connector.connect();
});

afterAll(async () => {
  await probe.close();
  await db.drop();
  await server.destroy();
});

describe('server readings', () => {
  it('reads status counters case-insensitively and leaves unknown names out', async () => {
    const load = await readServerLoad(probe, ['threads_RUNNING', 'Threads_connected', 'No_such_thing']);
    // The status query's own thread is running.
    expect(load.get('threads_running')).toBeGreaterThanOrEqual(1);
    expect(load.get('threads_connected')).toBeGreaterThanOrEqual(1);
    expect(load.has('no_such_thing')).toBe(false);
  });

  it('a server that is no replica has no lag', async () => {
    expect(await readReplicaLag(probe)).toBeNull();
  });
});

describe('throttle', () => {
  it('passes at once when under the limits, reading the server at most once a second', async () => {
    // The throttle's own statements are counted on its connector: the server's global `Questions`
    // also counts the other test files' queries running beside this one (a flaky CI run).
    let statements = 0;
    const counted: SqlConnector = {
      target: db.connector.target,
      label: db.connector.label,
      connect: async (o) => {
        const c = await db.connector.connect(o);
        const wrapped: SqlConnection = {
          get threadId() {
            return c.threadId;
          },
          query: (sql, params) => (statements++, c.query(sql, params)),
          execute: (sql, params) => (statements++, c.execute(sql, params)),
          stream: (sql, params, options) => (statements++, c.stream(sql, params, options)),
          streamRaw: (sql, sink) => (statements++, c.streamRaw(sql, sink)),
          loadInfile: (sql, source) => (statements++, c.loadInfile(sql, source)),
          close: () => c.close(),
          destroy: () => c.destroy(),
        };
        return wrapped;
      },
    };
    const t = createThrottle({ limits: { maxLoad: [{ name: 'Threads_running', limit: 50 }], maxLagSeconds: 5 }, connector: counted, server: 'source', kind: 'test' });
    for (let i = 0; i < 200; i++) await t.check();
    // 200 checks within a second: one status read and one replica-status read, plus the session's set-up.
    expect(statements).toBeGreaterThanOrEqual(2);
    expect(statements).toBeLessThanOrEqual(4);
    expect(t.stats()).toEqual({ pauses: 0, pauseSeconds: 0 });
    await t.close();
  });

  it('pauses while Threads_running is over --max-load, then resumes; logs, counts and emits the pause', async () => {
    const events: ThrottlePauseEvent[] = [];
    const off = onRunEvent((e) => e.type === 'throttle-pause' && events.push(e));
    const { lines, log } = logger();
    const t = createThrottle({ limits: { maxLoad: [{ name: 'Threads_running', limit: 4 }] }, connector: db.connector, server: 'source', kind: 'test', logger: log, intervalMs: 200 });
    const load = await busyServer(db.connector, 6);
    const t0 = Date.now();
    // Parallel callers share the one pause.
    const checks = Promise.all([t.check(), t.check(), t.check()]);
    setTimeout(() => void load.release(), 1500);
    await checks;
    const waited = (Date.now() - t0) / 1000;
    off();
    expect(waited).toBeGreaterThan(1);
    expect(lines.filter((l) => /^throttled: Threads_running=\d+ > 4, pausing$/.test(l))).toHaveLength(1);
    expect(lines.some((l) => /^resumed after \d+\.\d s$/.test(l))).toBe(true);
    expect(t.stats().pauses).toBe(1);
    expect(t.stats().pauseSeconds).toBeGreaterThan(1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'test', reason: expect.stringMatching(/^Threads_running=\d+ > 4$/) });
    await t.close();
  });

  it('throws ThrottleError over --critical-load, naming the variable, value and limit in one line', async () => {
    const t = createThrottle({ limits: { criticalLoad: [{ name: 'Threads_running', limit: 4 }] }, connector: db.connector, server: 'source', kind: 'test' });
    const load = await busyServer(db.connector, 6);
    const error = await t.check().catch((e: unknown) => e);
    await load.release();
    expect(error).toBeInstanceOf(ThrottleError);
    expect((error as Error).message).toMatch(/^critical load on the source: Threads_running=\d+ > 4 \(--critical-load\)/);
    expect((error as Error).message).not.toContain('\n');
    await t.close();
  });

  it('gives up after --max-pause', async () => {
    const t = createThrottle({ limits: { maxLoad: [{ name: 'Threads_running', limit: 4 }], maxPauseSeconds: 0.5 }, connector: db.connector, server: 'source', kind: 'test', intervalMs: 100 });
    const load = await busyServer(db.connector, 6);
    const error = await t.check().catch((e: unknown) => e);
    await load.release();
    expect(error).toBeInstanceOf(ThrottleError);
    expect((error as ThrottleError).limit).toBe('max-pause');
    expect((error as Error).message).toContain('--max-pause');
    await t.close();
  });

  it('refuses a status variable the server does not have', async () => {
    const t = createThrottle({ limits: { maxLoad: [{ name: 'Threads_runnin', limit: 4 }] }, connector: db.connector, server: 'source', kind: 'test' });
    await expect(t.check()).rejects.toThrow(/no status variable Threads_runnin/);
    await t.close();
  });
});

describe('--nice-ratio', () => {
  it('pauses after each chunk ratio times as long as the chunk took, without a server session', async () => {
    let connects = 0;
    const connector = { connect: () => (connects++, Promise.reject(new Error('no session expected'))) } as unknown as SqlConnector;
    let clock = 1_000;
    const t = createThrottle({ limits: { niceRatio: 2 }, connector, server: 'source', kind: 'archive', now: () => clock });
    await t.check(); // before the first chunk: nothing to measure
    clock += 40; // the first chunk "took" 40 ms
    const started = performance.now();
    await t.check();
    const waited = performance.now() - started;
    clock += 10;
    await t.check();
    expect(waited).toBeGreaterThanOrEqual(75);
    expect(t.stats()).toEqual({ pauses: 0, pauseSeconds: 0, niceSeconds: 0.1 });
    expect(connects).toBe(0);
    await t.close();
  });

  it('a ratio of 0 throttles nothing and keeps the stats as they were', async () => {
    const t = createThrottle({ limits: { niceRatio: 0 }, connector: db.connector, server: 'source', kind: 'sync' });
    await t.check();
    await t.check();
    expect(t.stats()).toEqual({ pauses: 0, pauseSeconds: 0 });
    await t.close();
  });
});
