/**
 * Throttling a full sync on a real server: K sessions blocked in GET_LOCK (busy-server.ts) push
 * Threads_running over `--max-load` (the run pauses, then resumes and finishes correctly) or over
 * `--critical-load` (the run aborts and the report tables stay as they were).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { verifyMirrors } from '../../../sync/verify/verify.js';
import { busyServer, lineLogger } from '../../helpers/busy-server.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { type OwnTestServer, startOwnTestServer } from '../../helpers/own-test-server.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';
import { schemaDigest } from '../../helpers/table-digest.js';

// Threads_running is server-wide: a server of this file's own, so no other file's sessions count.
let server: OwnTestServer;
let fx: CrmFixture;
let conn: SqlConnection;
// The run's own sessions count too (the status read, the snapshot's checksums, a copy, a report
// build): the limit leaves room for them, and the sleepers go well over it.
const LIMIT = 8;
const SLEEPERS = 12;

beforeAll(async () => {
  server = await startOwnTestServer('throttle');
  fx = await createCrmFixture('throttle', 0.01, server);
  conn = await fx.connector.connect();
});

afterAll(async () => {
  await conn.close();
  await fx.drop();
  await server.destroy();
});

async function reportTables(): Promise<string[]> {
  const rows = await conn.query<{ t: string }>('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1', [fx.reportSchema]);
  return rows.map((r) => r.t);
}

describe('full sync throttling', () => {
  it('pauses while Threads_running is over --max-load, then resumes and builds mirrors equal to the source', async () => {
    const { lines, logger } = lineLogger();
    const busy = await busyServer(fx.connector, SLEEPERS);
    let finished = false;
    const run = runSync({ pipeline: fx.pipeline, chunkRows: 500, threads: 1, logger, throttle: { maxLoad: [{ name: 'Threads_running', limit: LIMIT }] } });
    void run.then(() => (finished = true), () => (finished = true));
    for (let i = 0; i < 300 && !lines.some((l) => l.startsWith('throttled:')); i++) await new Promise((r) => setTimeout(r, 50));
    // Paused, and it stays paused while the load is there.
    await new Promise((r) => setTimeout(r, 1500));
    expect(finished).toBe(false);
    await busy.release();
    const r = await run;
    expect(lines.filter((l) => new RegExp(`^throttled: Threads_running=\\d+ > ${LIMIT}, pausing$`).test(l))).toHaveLength(1);
    expect(lines.some((l) => /^resumed after \d+\.\d s$/.test(l))).toBe(true);
    expect(r.throttle?.pauses).toBe(1);
    expect(r.throttle!.pauseSeconds).toBeGreaterThan(1);
    const v = await verifyMirrors({ pipeline: fx.pipeline, chunkRows: 500 });
    expect(v.ok).toBe(true);
  });

  it('aborts over --critical-load with one clear line (exit 1), leaving the report tables as they were', async () => {
    await conn.execute(`UPDATE contacts SET lead_score = lead_score + 1`);
    const before = await schemaDigest(conn, fx.reportSchema, fx.tables);
    const tablesBefore = await reportTables();
    const busy = await busyServer(fx.connector, SLEEPERS);
    const cli = await runCliCapture(['sync', '--source', fx.url, '--critical-load', `Threads_running=${LIMIT}`]);
    await busy.release();
    expect(cli.code).toBe(1);
    const errorLines = cli.stderr.trim().split('\n');
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(new RegExp(`^dualpipe: critical load on the source: Threads_running=\\d+ > ${LIMIT} \\(--critical-load\\); the run stopped and changed nothing — run again when`));
    expect(await schemaDigest(conn, fx.reportSchema, fx.tables)).toEqual(before);
    // No temporary table left behind, none swapped in.
    expect(await reportTables()).toEqual(tablesBefore);
  });

  it('refuses a bad --max-load with one line (exit 2)', async () => {
    const cli = await runCliCapture(['sync', '--source', fx.url, '--max-load', 'Threads_running']);
    expect(cli.code).toBe(2);
    expect(cli.stderr.trim().split('\n')).toHaveLength(1);
    expect(cli.stderr).toMatch(/invalid --max-load item "Threads_running": expected Status_var=N/);
  });

  it('--nice-ratio pauses between units of work and says how long; a bad ratio is one line (exit 2)', async () => {
    const bad = await runCliCapture(['sync', '--source', fx.url, '--nice-ratio', 'half']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/invalid --nice-ratio "half"/);
    const cli = await runCliCapture(['sync', '--source', fx.url, '--nice-ratio', '0.5', '--json']);
    expect(cli.code, cli.stderr).toBe(0);
    const result = JSON.parse(cli.stdout) as { throttle?: { pauses: number; niceSeconds?: number } };
    expect(result.throttle?.pauses).toBe(0);
    expect(result.throttle?.niceSeconds).toBeGreaterThan(0);
  });
});
