import { describe, expect, it } from 'vitest';
import { listenToRunEvents, recordJobEnd } from '../../../ops/metrics/record-events.js';
import { createSchedulerMetrics, initJobSeries } from '../../../ops/metrics/registry.js';
import { addStatusGauges } from '../../../ops/metrics/status-gauges.js';
import { createStatusProbe, type ProbeFacts } from '../../../ops/metrics/status-probe.js';
import { parseListenAddress } from '../../../ops/metrics/listen-address.js';
import type { Pipeline } from '../../../src/pipeline.js';
import { emitRunEvent } from '../../../src/log/run-events.js';
import { rowsMovedBySync, tellBackupMoved, tellSyncMoved } from '../../../ops/data-moved.js';
import { parsePromText, sampleValue } from '../../helpers/prom-text.js';

const noPipeline = {} as Pipeline;

describe('scheduler metrics', () => {
  it('counts run events and job ends per job, with the right types', async () => {
    const m = createSchedulerMetrics({ processMetrics: false });
    initJobSeries(m, ['sync', 'backup']);
    const stop = listenToRunEvents(m);
    emitRunEvent({ type: 'data-moved', kind: 'sync', rows: 120 });
    emitRunEvent({ type: 'data-moved', kind: 'sync', rows: 30 });
    emitRunEvent({ type: 'data-moved', kind: 'backup', rows: 150, bytes: 4096 });
    emitRunEvent({ type: 'lock-wait', kind: 'sync', seconds: 2.5, got: true });
    emitRunEvent({ type: 'lock-wait', kind: 'sync', seconds: 0.001, got: false });
    emitRunEvent({ type: 'throttle-pause', kind: 'sync', reason: 'Threads_running=73 > 50', seconds: 4 });
    emitRunEvent({ type: 'run-stalled', kind: 'backup', cause: 'stall', phase: 'dump' });
    stop();
    // Not listening any more: this one is not counted.
    emitRunEvent({ type: 'data-moved', kind: 'sync', rows: 1000 });
    recordJobEnd(m, { job: 'sync', outcome: 'succeeded', startedAt: 1_700_000_000_000, endedAt: 1_700_000_042_000 });
    recordJobEnd(m, { job: 'backup', outcome: 'failed', startedAt: 1_700_000_100_000, endedAt: 1_700_000_103_000, error: 'disk full' });
    recordJobEnd(m, { job: 'sync', outcome: 'skipped', startedAt: 1_700_000_200_000, endedAt: 1_700_000_200_001 });

    const f = parsePromText(await m.registry.metrics());
    expect(f.get('dualpipe_rows_moved_total')?.type).toBe('counter');
    expect(sampleValue(f, 'dualpipe_rows_moved_total', { job: 'sync' })).toBe(150);
    expect(sampleValue(f, 'dualpipe_rows_moved_total', { job: 'backup' })).toBe(150);
    expect(sampleValue(f, 'dualpipe_bytes_moved_total', { job: 'backup' })).toBe(4096);
    expect(sampleValue(f, 'dualpipe_bytes_moved_total', { job: 'sync' })).toBeUndefined();
    expect(f.get('dualpipe_lock_wait_seconds')?.type).toBe('histogram');
    expect(sampleValue(f, 'dualpipe_lock_wait_seconds_count', { lock: 'sync', outcome: 'got' })).toBe(1);
    expect(sampleValue(f, 'dualpipe_lock_wait_seconds_sum', { lock: 'sync', outcome: 'got' })).toBe(2.5);
    expect(sampleValue(f, 'dualpipe_lock_wait_seconds_bucket', { lock: 'sync', outcome: 'got', le: '1' })).toBe(0);
    expect(sampleValue(f, 'dualpipe_lock_wait_seconds_bucket', { lock: 'sync', outcome: 'got', le: '10' })).toBe(1);
    expect(sampleValue(f, 'dualpipe_lock_wait_seconds_count', { lock: 'sync', outcome: 'busy' })).toBe(1);
    expect(sampleValue(f, 'dualpipe_throttle_pauses_total', { job: 'sync' })).toBe(1);
    expect(sampleValue(f, 'dualpipe_throttle_pause_seconds_total', { job: 'sync' })).toBe(4);
    expect(sampleValue(f, 'dualpipe_run_stalls_total', { job: 'backup', cause: 'stall' })).toBe(1);

    expect(f.get('dualpipe_job_runs_total')?.type).toBe('counter');
    expect(sampleValue(f, 'dualpipe_job_runs_total', { job: 'sync', outcome: 'succeeded' })).toBe(1);
    expect(sampleValue(f, 'dualpipe_job_runs_total', { job: 'sync', outcome: 'skipped' })).toBe(1);
    expect(sampleValue(f, 'dualpipe_job_runs_total', { job: 'sync', outcome: 'failed' })).toBe(0);
    expect(sampleValue(f, 'dualpipe_job_runs_total', { job: 'backup', outcome: 'failed' })).toBe(1);
    expect(f.get('dualpipe_job_last_success_timestamp_seconds')?.type).toBe('gauge');
    expect(sampleValue(f, 'dualpipe_job_last_success_timestamp_seconds', { job: 'sync' })).toBe(1_700_000_042);
    expect(sampleValue(f, 'dualpipe_job_last_failure_timestamp_seconds', { job: 'backup' })).toBe(1_700_000_103);
    expect(sampleValue(f, 'dualpipe_job_last_failure_timestamp_seconds', { job: 'sync' })).toBeUndefined();
    expect(sampleValue(f, 'dualpipe_job_last_run_failed', { job: 'backup' })).toBe(1);
    expect(sampleValue(f, 'dualpipe_job_last_run_failed', { job: 'sync' })).toBe(0);
    // Skipped runs are not timed: one sync duration, 42 s.
    expect(sampleValue(f, 'dualpipe_job_duration_seconds_count', { job: 'sync', outcome: 'succeeded' })).toBe(1);
    expect(sampleValue(f, 'dualpipe_job_duration_seconds_sum', { job: 'sync', outcome: 'succeeded' })).toBe(42);
    expect(sampleValue(f, 'dualpipe_job_duration_seconds_count', { job: 'sync', outcome: 'skipped' })).toBeUndefined();
    // Our own registry only: nothing of prom-client's global one, and process metrics when asked for.
    expect([...f.keys()].every((n) => n.startsWith('dualpipe_'))).toBe(true);
    expect(parsePromText(await createSchedulerMetrics().registry.metrics()).get('process_cpu_seconds_total')?.type).toBe('counter');
  });

  it('counts what the scheduled jobs moved: copied rows of a full sync, applied rows of an incremental one, backup rows and bytes', async () => {
    expect(rowsMovedBySync({ tables: [{ rows: 10 }, { rows: 5 }] })).toBe(15);
    // An incremental run moved what it applied, not the mirrors' sizes.
    expect(rowsMovedBySync({ tables: [{ rows: 10_000 }], cost: { rowsMoved: 7 } })).toBe(7);
    const m = createSchedulerMetrics({ processMetrics: false });
    const stop = listenToRunEvents(m);
    const result = { tables: [{ rows: 40 }], cost: undefined };
    expect(tellSyncMoved('sync', result)).toBe(result);
    tellSyncMoved('incremental', { tables: [{ rows: 40 }], cost: { rowsMoved: 3 } });
    tellBackupMoved('backup', { rows: 40, bytes: 123_456 });
    stop();
    const f = parsePromText(await m.registry.metrics());
    expect(sampleValue(f, 'dualpipe_rows_moved_total', { job: 'sync' })).toBe(40);
    expect(sampleValue(f, 'dualpipe_rows_moved_total', { job: 'incremental' })).toBe(3);
    expect(sampleValue(f, 'dualpipe_bytes_moved_total', { job: 'backup' })).toBe(123_456);
  });

  it('reads the servers at scrape time through a cached, time-bounded probe; a failed read is dualpipe_up 0', async () => {
    let now = 1_700_000_000_000;
    let reads = 0;
    let fail: 'no' | 'error' | 'hang' = 'no';
    const facts: ProbeFacts = { lastSyncAt: 1_699_999_400, lastBackupAt: null, captureInstalled: true, capturePending: 17 };
    const probe = createStatusProbe(noPipeline, {
      now: () => now,
      cacheMs: 5000,
      timeoutMs: 50,
      readFacts: () => {
        reads++;
        if (fail === 'error') return Promise.reject(new Error('connect ECONNREFUSED'));
        if (fail === 'hang') return new Promise<never>(() => {});
        return Promise.resolve(facts);
      },
    });
    const m = createSchedulerMetrics({ processMetrics: false });
    addStatusGauges(m, probe, 'crm_report', () => now);
    let f = parsePromText(await m.registry.metrics());
    expect(reads).toBe(1);
    expect(sampleValue(f, 'dualpipe_up', { schema: 'crm_report' })).toBe(1);
    expect(sampleValue(f, 'dualpipe_report_data_age_seconds', { schema: 'crm_report' })).toBe(600);
    expect(sampleValue(f, 'dualpipe_capture_pending_changes', { schema: 'crm_report' })).toBe(17);
    // Never backed up: the age is absent, not 0.
    expect(sampleValue(f, 'dualpipe_backup_age_seconds')).toBeUndefined();
    // Within the cache time: no new read.
    now += 1000;
    await m.registry.metrics();
    expect(reads).toBe(1);
    now += 5000;
    fail = 'error';
    f = parsePromText(await m.registry.metrics());
    expect(reads).toBe(2);
    expect(sampleValue(f, 'dualpipe_up', { schema: 'crm_report' })).toBe(0);
    expect(sampleValue(f, 'dualpipe_report_data_age_seconds')).toBeUndefined();
    expect(probe.last).toMatchObject({ ok: false, error: 'connect ECONNREFUSED' });
    now += 5000;
    fail = 'hang';
    f = parsePromText(await m.registry.metrics());
    expect(sampleValue(f, 'dualpipe_up', { schema: 'crm_report' })).toBe(0);
    expect(probe.last).toMatchObject({ ok: false, error: 'server read took over 50 ms' });
    // The hung read is not repeated: the next scrape waits on it again (and times out again).
    const hungReads = reads;
    now += 5000;
    f = parsePromText(await m.registry.metrics());
    expect(reads).toBe(hungReads);
    expect(sampleValue(f, 'dualpipe_up', { schema: 'crm_report' })).toBe(0);
  });

  it.each([
    ['127.0.0.1:9464', { host: '127.0.0.1', port: 9464 }],
    ['localhost:80', { host: 'localhost', port: 80 }],
    ['[::1]:9464', { host: '::1', port: 9464 }],
  ])('parses --metrics-listen %s', (text, want) => {
    expect(parseListenAddress(text)).toEqual(want);
  });

  it.each(['9464', ':9464', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:70000', '::1:9464', '[127.0.0.1]:9464', 'bad host:1', '127.0.0.1:94x'])(
    'refuses --metrics-listen %s in one line',
    (text) => {
      expect(() => parseListenAddress(text)).toThrow(/^--metrics-listen ".*": /);
    },
  );
});
