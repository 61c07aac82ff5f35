/**
 * The metrics of `dualpipe schedule`, on a registry of their own (never prom-client's global one,
 * so a library user's metrics and ours never collide). Names follow the Prometheus conventions:
 * `dualpipe_` first, the unit last (`_seconds`, `_bytes`, `_total`, `_timestamp_seconds`).
 */
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';

/**
 * prom-client, loaded on first use: it pulls in about 80 modules (@opentelemetry among them) that
 * every other command (backup, sync) paid for at start-up through api/index.ts.
 */
export function promClient(): typeof PromClient {
  return createRequire(import.meta.url)('prom-client') as typeof PromClient;
}

/** Job run durations: from a quick incremental sync to a long full sync or backup. */
const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14_400];
/** Lock waits: mostly none (0 s), sometimes up to the configured wait. */
const LOCK_BUCKETS = [0.01, 0.1, 1, 10, 60, 300, 1800, 3600];

/** The scheduler's metrics, each a prom-client metric on `registry`. */
export interface SchedulerMetrics {
  readonly registry: PromClient.Registry;
  /** Runs by job and outcome (succeeded, failed, skipped: the lock was taken). */
  readonly jobRuns: PromClient.Counter<'job' | 'outcome'>;
  /** How long runs took, by job and outcome (skipped runs are not timed). */
  readonly jobDuration: PromClient.Histogram<'job' | 'outcome'>;
  readonly jobLastSuccess: PromClient.Gauge<'job'>;
  readonly jobLastFailure: PromClient.Gauge<'job'>;
  /** 1 when the job's last run failed, 0 when it succeeded (skips change nothing). */
  readonly jobLastRunFailed: PromClient.Gauge<'job'>;
  readonly rowsMoved: PromClient.Counter<'job'>;
  readonly bytesMoved: PromClient.Counter<'job'>;
  /** Time spent in GET_LOCK, by lock scope and whether it was got. */
  readonly lockWait: PromClient.Histogram<'lock' | 'outcome'>;
  readonly throttlePauses: PromClient.Counter<'job'>;
  readonly throttlePauseSeconds: PromClient.Counter<'job'>;
  readonly runStalls: PromClient.Counter<'job' | 'cause'>;
}

/** Creates the metrics on a fresh registry (with Node's process metrics unless `processMetrics` is false). */
export function createSchedulerMetrics(options: { processMetrics?: boolean } = {}): SchedulerMetrics {
  const { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } = promClient();
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    jobRuns: new Counter({ name: 'dualpipe_job_runs_total', help: 'Scheduled runs by job and outcome (skipped: another run held the lock).', labelNames: ['job', 'outcome'], registers }),
    jobDuration: new Histogram({
      name: 'dualpipe_job_duration_seconds',
      help: 'How long scheduled runs took, by job and outcome.',
      labelNames: ['job', 'outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    jobLastSuccess: new Gauge({ name: 'dualpipe_job_last_success_timestamp_seconds', help: 'When the job last succeeded (Unix time).', labelNames: ['job'], registers }),
    jobLastFailure: new Gauge({ name: 'dualpipe_job_last_failure_timestamp_seconds', help: 'When the job last failed (Unix time).', labelNames: ['job'], registers }),
    jobLastRunFailed: new Gauge({ name: 'dualpipe_job_last_run_failed', help: '1 when the job\'s last run failed, 0 when it succeeded.', labelNames: ['job'], registers }),
    rowsMoved: new Counter({ name: 'dualpipe_rows_moved_total', help: 'Rows copied, applied or dumped, by job.', labelNames: ['job'], registers }),
    bytesMoved: new Counter({ name: 'dualpipe_bytes_moved_total', help: 'Bytes written, by job (where known: backups).', labelNames: ['job'], registers }),
    lockWait: new Histogram({
      name: 'dualpipe_lock_wait_seconds',
      help: 'Time spent waiting for the run lock (GET_LOCK), by lock and outcome (got, busy).',
      labelNames: ['lock', 'outcome'],
      buckets: LOCK_BUCKETS,
      registers,
    }),
    throttlePauses: new Counter({ name: 'dualpipe_throttle_pauses_total', help: 'Pauses because the server was too busy, by job.', labelNames: ['job'], registers }),
    throttlePauseSeconds: new Counter({ name: 'dualpipe_throttle_pause_seconds_total', help: 'Time spent paused by the throttle, by job.', labelNames: ['job'], registers }),
    runStalls: new Counter({ name: 'dualpipe_run_stalls_total', help: 'Runs stopped by the watchdog, by job and cause (stall, max-runtime).', labelNames: ['job', 'cause'], registers }),
  };
}

/** Starts every series of `jobs` at zero, so rates and `absent()` work before the first run. */
export function initJobSeries(metrics: SchedulerMetrics, jobs: readonly string[]): void {
  for (const job of jobs) {
    for (const outcome of ['succeeded', 'failed', 'skipped']) metrics.jobRuns.inc({ job, outcome }, 0);
    metrics.rowsMoved.inc({ job }, 0);
  }
}
