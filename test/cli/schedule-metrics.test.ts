/**
 * `dualpipe schedule --metrics-listen` as a process: it serves /metrics and /healthz while it
 * runs, and the server closes with the scheduler on SIGTERM.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { parsePromText, sampleValue } from '../helpers/prom-text.js';
import { spawnCli, waitForOutput } from '../helpers/spawn-cli.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('schedule_metrics');
});
afterAll(async () => {
  await db?.drop();
});

/** A loopback port that was free a moment ago. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('dualpipe schedule --metrics-listen', () => {
  it('serves /metrics and /healthz, and stops serving on SIGTERM', async () => {
    const port = await freePort();
    // A cron that never fires in the test.
    const child = spawnCli(['schedule', '--sync-cron', '0 0 1 1 *', '--metrics-listen', `127.0.0.1:${port}`, '--source', db.url]);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitForOutput(child, /scheduler started/);
      const base = `http://127.0.0.1:${port}`;
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ ok: true, scheduler: 'running' });
      const f = parsePromText(await (await fetch(`${base}/metrics`)).text());
      expect(f.get('dualpipe_job_runs_total')?.type).toBe('counter');
      expect(sampleValue(f, 'dualpipe_job_runs_total', { job: 'sync', outcome: 'succeeded' })).toBe(0);
      expect(sampleValue(f, 'dualpipe_up', { schema: `${db.database}_report` })).toBe(1);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  }, 90_000);
});
