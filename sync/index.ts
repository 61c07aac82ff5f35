export { checksumChunks } from './checksum-chunks.js';
export {
  type ChunkSum,
  checksumChunksSql,
  chooseChunkScheme,
  chunkCondition,
  diffChunks,
} from './chunk-sql.js';
export { discoverTables, selectTables } from './discover-tables.js';
export { mirrorDdl } from './mirror-ddl.js';
export { describePlan, planSync, type SyncPlan, type SyncStrategy, type TablePlan } from './plan.js';
export { loadReportDefinitions, parseReportDefinition, type ReportDefinition } from './report-definitions.js';
export { HISTORY_TABLE, type RunRecord, recentRuns } from './run-history.js';
export { runSync, type SyncOptions, type SyncResult } from './run-sync.js';
export { type ScheduledJob, type SchedulerHandle, startScheduler, validateJobs } from './schedule.js';
export type { TableSyncResult } from './sync-table.js';
export type { ChunkScheme, ColumnMeta, TableMeta } from './table-meta.js';
export { driftedTables, type VerifyResult, type VerifyTableResult, verifyMirrors } from './verify.js';
export { type CaptureStatus, installCapture, readCapture, removeCapture } from './capture.js';
export {
  type IncrementalCost,
  type IncrementalOptions,
  type IncrementalResult,
  type IncrementalTableResult,
  runIncrementalSync,
} from './run-incremental.js';
