/** The CLI's `schedule` action loads this (api/light.ts explains why): the scheduler, node-cron and the metrics server. */
export { parseListenAddress, serveSchedulerMetrics } from '../ops/metrics/index.js';
export { startScheduler, validateJobs } from '../ops/schedule.js';
export { scheduleJobs } from '../ops/schedule-jobs.js';
export { resolveRunLimits } from '../src/guard/run-limits.js';
