/**
 * The metrics of a running scheduler, put together: the registry, the run-event listener, the
 * scrape-time gauges and the HTTP server. `dualpipe schedule --metrics-listen` starts it and
 * passes `onJobEnd` to `startScheduler`; `close` stops listening to both.
 */
import type { Pipeline } from '../../src/pipeline.js';
import type { JobEnd } from '../schedule.js';
import type { ListenAddress } from './listen-address.js';
import { type Health, startMetricsServer } from './metrics-server.js';
import { listenToRunEvents, recordJobEnd } from './record-events.js';
import { createSchedulerMetrics, initJobSeries, type SchedulerMetrics } from './registry.js';
import { addStatusGauges } from './status-gauges.js';
import { createStatusProbe, type StatusProbeOptions } from './status-probe.js';

/** Options of `serveSchedulerMetrics`. */
export interface ServeMetricsOptions {
  pipeline: Pipeline;
  listen: ListenAddress;
  /** The scheduled jobs' names: their series start at zero. */
  jobs: readonly string[];
  /** Whether the scheduler still runs (false once it is stopping). */
  alive: () => boolean;
  /** Timeout and cache of the scrape-time server reads. */
  probe?: StatusProbeOptions;
}

/** Metrics being served. */
export interface ServedMetrics {
  readonly metrics: SchedulerMetrics;
  readonly address: ListenAddress;
  /** Pass to `startScheduler` (`onJobEnd`). */
  readonly onJobEnd: (end: JobEnd) => void;
  /** Stops the server and the event listener. */
  close(): Promise<void>;
}

/** Starts serving the scheduler's metrics on `listen` (refused in one line when it cannot). */
export async function serveSchedulerMetrics(o: ServeMetricsOptions): Promise<ServedMetrics> {
  const metrics = createSchedulerMetrics();
  initJobSeries(metrics, o.jobs);
  const probe = createStatusProbe(o.pipeline, o.probe);
  addStatusGauges(metrics, probe, o.pipeline.reportSchema, o.probe?.now);
  const health = async (): Promise<Health> => {
    const r = await probe.read();
    const alive = o.alive();
    const why = [...(alive ? [] : ['the scheduler is stopping']), ...(r.ok ? [] : [`the servers could not be read: ${r.error}`])];
    return {
      ok: why.length === 0,
      scheduler: alive ? 'running' : 'stopping',
      serverRead: r.ok ? 'ok' : 'failed',
      readAt: new Date(r.at).toISOString(),
      ...(why.length ? { why: why.join('; ') } : {}),
    };
  };
  const server = await startMetricsServer(o.listen, metrics.registry, health);
  const stopListening = listenToRunEvents(metrics);
  return {
    metrics,
    address: server.address,
    onJobEnd: (end) => recordJobEnd(metrics, end),
    async close() {
      stopListening();
      await server.close();
    },
  };
}
