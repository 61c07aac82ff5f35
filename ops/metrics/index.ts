/** The scheduler's Prometheus metrics: see serve-metrics.ts for how the parts fit. */
export { type ListenAddress, parseListenAddress } from './listen-address.js';
export { type Health, type MetricsServer, startMetricsServer } from './metrics-server.js';
export { listenToRunEvents, recordJobEnd, recordRunEvent } from './record-events.js';
export { createSchedulerMetrics, initJobSeries, type SchedulerMetrics } from './registry.js';
export { type ServedMetrics, type ServeMetricsOptions, serveSchedulerMetrics } from './serve-metrics.js';
export { addStatusGauges } from './status-gauges.js';
export { createStatusProbe, type ProbeFacts, type ProbeResult, readProbeFacts, type StatusProbe, type StatusProbeOptions } from './status-probe.js';
