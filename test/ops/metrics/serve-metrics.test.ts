/**
 * The scheduler's metrics end to end: the scheduler fires a real sync (against the test server)
 * and a failing job on a hand-fired timer, and /metrics and /healthz are scraped over HTTP.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveSchedulerMetrics } from '../../../ops/metrics/serve-metrics.js';
import { type CronTimer, startScheduler } from '../../../ops/schedule.js';
import { scheduleJobs } from '../../../ops/schedule-jobs.js';
import { defaultSync } from '../../../src/config/resolve-config.js';
import { silentLogger } from '../../../src/log/logger.js';
import { createPipeline } from '../../../src/pipeline.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { parsePromText, sampleValue } from '../../helpers/prom-text.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';

/** A cron timer fired by hand. */
class HandTimer implements CronTimer {
  readonly fires = new Map<string, () => void>();
  schedule(_expression: string, fire: () => void, options: { name: string }) {
    this.fires.set(options.name, fire);
    return { stop: () => Promise.resolve(void this.fires.delete(options.name)) };
  }
  fire(name: string): void {
    this.fires.get(name)?.();
  }
}

/** Holds a free loopback port open (so a second listener finds it taken) until closed. */
async function holdPort(): Promise<{ port: number; close: () => Promise<void> }> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  return { port, close: () => new Promise((resolve) => s.close(() => resolve())) };
}

async function scrape(base: string) {
  const r = await fetch(`${base}/metrics`);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePromText(await r.text());
}

let fx: CrmFixture;

beforeAll(async () => {
  fx = await createCrmFixture('metrics');
}, 120_000);

afterAll(async () => {
  await fx?.drop();
});

describe('scheduler metrics over HTTP', () => {
  it('counts a real sync and a failing job, reads data age at scrape time, and answers /healthz', async () => {
    const timer = new HandTimer();
    const jobs = [
      ...scheduleJobs({ pipeline: fx.pipeline, crons: { sync: '0 * * * *' }, sync: defaultSync, logger: silentLogger }),
      { name: 'doomed', cron: '0 * * * *', run: () => Promise.reject(new Error('disk full')) },
    ];
    let alive = true;
    const served = await serveSchedulerMetrics({
      pipeline: fx.pipeline,
      listen: { host: '127.0.0.1', port: 0 },
      jobs: jobs.map((j) => j.name),
      alive: () => alive,
      probe: { cacheMs: 0 },
    });
    const base = `http://127.0.0.1:${served.address.port}`;
    const handle = startScheduler(jobs, { timer, onJobEnd: served.onJobEnd });
    try {
      const before = parsePromText(await (await fetch(`${base}/metrics`)).text());
      expect(before.get('dualpipe_job_runs_total')?.type).toBe('counter');
      expect(sampleValue(before, 'dualpipe_job_runs_total', { job: 'sync', outcome: 'succeeded' })).toBe(0);
      expect(sampleValue(before, 'dualpipe_rows_moved_total', { job: 'sync' })).toBe(0);
      // No sync yet: the servers are read (up), but there is no data age.
      expect(sampleValue(before, 'dualpipe_up', { schema: fx.reportSchema })).toBe(1);
      expect(sampleValue(before, 'dualpipe_report_data_age_seconds')).toBeUndefined();
      expect(sampleValue(before, 'dualpipe_capture_installed', { schema: fx.reportSchema })).toBe(0);

      const t0 = Date.now() / 1000;
      timer.fire('sync');
      timer.fire('doomed');
      await handle.idle();
      expect(handle.stats).toEqual({ runs: 1, failures: 1, skipped: 0, idle: 0 });

      const after = await scrape(base);
      expect(sampleValue(after, 'dualpipe_job_runs_total', { job: 'sync', outcome: 'succeeded' })).toBe(1);
      expect(sampleValue(after, 'dualpipe_job_runs_total', { job: 'doomed', outcome: 'failed' })).toBe(1);
      expect(after.get('dualpipe_job_duration_seconds')?.type).toBe('histogram');
      expect(sampleValue(after, 'dualpipe_job_duration_seconds_count', { job: 'sync', outcome: 'succeeded' })).toBe(1);
      expect(sampleValue(after, 'dualpipe_job_duration_seconds_bucket', { job: 'sync', outcome: 'succeeded', le: '+Inf' })).toBe(1);
      const success = sampleValue(after, 'dualpipe_job_last_success_timestamp_seconds', { job: 'sync' })!;
      expect(success).toBeGreaterThanOrEqual(Math.floor(t0));
      expect(success).toBeLessThanOrEqual(Date.now() / 1000);
      expect(sampleValue(after, 'dualpipe_job_last_failure_timestamp_seconds', { job: 'doomed' })).toBeGreaterThanOrEqual(Math.floor(t0));
      expect(sampleValue(after, 'dualpipe_job_last_run_failed', { job: 'doomed' })).toBe(1);
      expect(sampleValue(after, 'dualpipe_job_last_run_failed', { job: 'sync' })).toBe(0);
      // The seeded CRM has rows: the full sync copied them into the mirrors.
      expect(sampleValue(after, 'dualpipe_rows_moved_total', { job: 'sync' })).toBeGreaterThan(100);
      // The sync took the run lock (GET_LOCK) once, at once.
      expect(sampleValue(after, 'dualpipe_lock_wait_seconds_count', { lock: 'sync', outcome: 'got' })).toBeGreaterThanOrEqual(1);
      // Read from the run history at scrape time: the sync just finished.
      const age = sampleValue(after, 'dualpipe_report_data_age_seconds', { schema: fx.reportSchema })!;
      expect(after.get('dualpipe_report_data_age_seconds')?.type).toBe('gauge');
      expect(age).toBeGreaterThanOrEqual(0);
      expect(age).toBeLessThan(120);
      expect(sampleValue(after, 'dualpipe_backup_age_seconds')).toBeUndefined();
      expect(after.get('process_cpu_seconds_total')?.type).toBe('counter');

      const healthy = await fetch(`${base}/healthz`);
      expect(healthy.status).toBe(200);
      expect(await healthy.json()).toMatchObject({ ok: true, scheduler: 'running', serverRead: 'ok' });
      expect((await fetch(`${base}/nothing`)).status).toBe(404);
      alive = false;
      const stopping = await fetch(`${base}/healthz`);
      expect(stopping.status).toBe(503);
      expect(await stopping.json()).toMatchObject({ ok: false, why: 'the scheduler is stopping' });
    } finally {
      await handle.stop();
      await served.close();
    }
    // Closed with the scheduler: nothing listens any more.
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  }, 120_000);

  it('a report server that cannot be read is dualpipe_up 0 and /healthz 503, and the scrape still works', async () => {
    const gone = await holdPort();
    await gone.close();
    const nowhere = createPipeline({
      source: { ...fx.target, port: gone.port, host: '127.0.0.1' },
      report: { ...fx.target, port: gone.port, host: '127.0.0.1', database: fx.reportSchema },
      sameServer: true,
    });
    const served = await serveSchedulerMetrics({ pipeline: nowhere, listen: { host: '127.0.0.1', port: 0 }, jobs: ['sync'], alive: () => true });
    try {
      const base = `http://127.0.0.1:${served.address.port}`;
      const f = await scrape(base);
      expect(sampleValue(f, 'dualpipe_up', { schema: fx.reportSchema })).toBe(0);
      expect(sampleValue(f, 'dualpipe_job_runs_total', { job: 'sync', outcome: 'succeeded' })).toBe(0);
      const h = await fetch(`${base}/healthz`);
      expect(h.status).toBe(503);
      expect(await h.json()).toMatchObject({ ok: false, serverRead: 'failed', why: expect.stringMatching(/^the servers could not be read: /) });
    } finally {
      await served.close();
    }
  }, 60_000);

  it('dualpipe schedule --metrics-listen on a taken port, or a bad address, fails in one line with exit 2', async () => {
    const taken = await holdPort();
    try {
      const r = await runCliCapture(['schedule', '--sync-cron', '0 * * * *', '--metrics-listen', `127.0.0.1:${taken.port}`, '--source', fx.url]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`metrics server cannot listen: 127\\.0\\.0\\.1:${taken.port} is already in use`));
      expect(r.stderr.trim().split('\n')[0]).toMatch(/already in use/);
    } finally {
      await taken.close();
    }
    const bad = await runCliCapture(['schedule', '--sync-cron', '0 * * * *', '--metrics-listen', '9464', '--source', fx.url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--metrics-listen "9464": not host:port/);
  }, 60_000);
});
