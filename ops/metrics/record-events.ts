/**
 * Turns what happens into metrics: the run-event bus (rows and bytes moved, lock waits, throttle
 * pauses, stalls) and the scheduler's job ends (outcomes, durations, last success and failure).
 * Events are labelled `job` by their `kind` (the scheduler's jobs emit their own name as the kind).
 */
import { onRunEvent, type RunEvent } from '../../src/log/run-events.js';
import type { JobEnd } from '../schedule.js';
import type { SchedulerMetrics } from './registry.js';

/** Counts one run event. */
export function recordRunEvent(metrics: SchedulerMetrics, event: RunEvent): void {
  switch (event.type) {
    case 'data-moved':
      metrics.rowsMoved.inc({ job: event.kind }, event.rows);
      if (event.bytes !== undefined) metrics.bytesMoved.inc({ job: event.kind }, event.bytes);
      return;
    case 'lock-wait':
      metrics.lockWait.observe({ lock: event.kind, outcome: event.got ? 'got' : 'busy' }, event.seconds);
      return;
    case 'throttle-pause':
      metrics.throttlePauses.inc({ job: event.kind });
      metrics.throttlePauseSeconds.inc({ job: event.kind }, event.seconds);
      return;
    case 'run-stalled':
      metrics.runStalls.inc({ job: event.kind, cause: event.cause });
      return;
  }
}

/** Counts one scheduled run's end: outcome, duration, and the last success or failure time. */
export function recordJobEnd(metrics: SchedulerMetrics, end: JobEnd): void {
  const job = end.job;
  metrics.jobRuns.inc({ job, outcome: end.outcome });
  if (end.outcome === 'skipped') return;
  metrics.jobDuration.observe({ job, outcome: end.outcome }, Math.max(0, (end.endedAt - end.startedAt) / 1000));
  if (end.outcome === 'succeeded') {
    metrics.jobLastSuccess.set({ job }, end.endedAt / 1000);
    metrics.jobLastRunFailed.set({ job }, 0);
  } else {
    metrics.jobLastFailure.set({ job }, end.endedAt / 1000);
    metrics.jobLastRunFailed.set({ job }, 1);
  }
}

/** Listens to the run-event bus until the returned function is called. */
export function listenToRunEvents(metrics: SchedulerMetrics): () => void {
  const stop = onRunEvent((event) => recordRunEvent(metrics, event));
  return () => {
    stop();
  };
}
