/**
 * Throttling an incremental sync on a real server: with Threads_running over --max-load (GET_LOCK
 * waiters, busy-server.ts) the run pauses before applying its key batches, then resumes once the
 * load goes and leaves mirrors equal to the source.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { installCapture } from '../../../sync/capture/capture.js';
import { runIncrementalSync } from '../../../sync/incremental/run-incremental.js';
import { verifyMirrors } from '../../../sync/verify/verify.js';
import { busyServer, lineLogger } from '../../helpers/busy-server.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { type OwnTestServer, startOwnTestServer } from '../../helpers/own-test-server.js';

// Threads_running is server-wide: a server of this file's own, so no other file's sessions count.
let server: OwnTestServer;
let fx: CrmFixture;
let conn: SqlConnection;

beforeAll(async () => {
  server = await startOwnTestServer('throttle_inc');
  fx = await createCrmFixture('throttle_inc', 0.01, server);
  conn = await fx.connector.connect();
  await installCapture(conn, fx.database);
  await runIncrementalSync({ pipeline: fx.pipeline, chunkRows: 500 });
});

afterAll(async () => {
  await conn.close();
  await fx.drop();
  await server.destroy();
});

describe('incremental sync throttling', () => {
  it('pauses while Threads_running is over --max-load, then applies the changes', async () => {
    await conn.execute('UPDATE contacts SET lead_score = lead_score + 1 WHERE id % 3 = 0');
    const { lines, logger } = lineLogger();
    const busy = await busyServer(fx.connector, 12);
    let finished = false;
    const run = runIncrementalSync({ pipeline: fx.pipeline, chunkRows: 500, logger, throttle: { maxLoad: [{ name: 'Threads_running', limit: 8 }] } });
    void run.then(() => (finished = true), () => (finished = true));
    for (let i = 0; i < 300 && !lines.some((l) => l.startsWith('throttled:')); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1000));
    expect(finished).toBe(false);
    await busy.release();
    const r = await run;
    expect(r.kind).toBe('incremental');
    expect(r.throttle?.pauses).toBe(1);
    expect(lines.some((l) => /^resumed after \d+\.\d s$/.test(l))).toBe(true);
    expect((await verifyMirrors({ pipeline: fx.pipeline, chunkRows: 500 })).ok).toBe(true);
  });
});
