/** dualpipe's public API: everything the CLI does is callable from here. */

export * from '../schema/index.js';
export { contentChecksum, contentChecksumSql } from '../src/rows/content-checksum.js';
export { loadDataSql } from '../backup/restore/load-data-sql.js';
export { MANIFEST_FILE, MANIFEST_FORMAT, type Manifest, type ManifestFile, type ManifestTable, openManifest, parseManifest, parseManifestFile } from '../backup/format/manifest.js';
export { decodeRow, encodeRow } from '../src/rows/row-codec.js';
export { type BackupOptions, type BackupResult, runBackup } from '../backup/dump/run-backup.js';
export { BackupError, locateBackup, verifyChunks } from '../backup/format/read-backup.js';
export { describeRestorePlan, planRestore, type RestorePlan, restoreSchemas } from '../backup/restore/plan-restore.js';
export { dropPrevious, readRestoreInfo, type RestoreInfo, rollbackRestore, type RollbackOptions } from '../backup/restore/rollback-restore.js';
export { type RestoreOptions, type RestoreResult, type RestoreTableResult, runRestore } from '../backup/restore/run-restore.js';
export { listBackups, pruneBackups } from '../backup/dump/inventory.js';
export { planPrune } from '../backup/dump/prune-plan.js';
export { verifyBackup } from '../backup/restore/verify-backup.js';
export { type BackupKey, keyId, parseKeyText, readBackupKey, writeNewKey } from '../backup/format/backup-key.js';
export { ChunkAuthError, decryptChunk, encryptChunk } from '../backup/format/chunk-cipher.js';
export { type MergeOptions, type MergeResult, type MergeTableResult, runMerge } from '../backup/restore/run-merge.js';
export { type MergePlan, planMerge } from '../backup/restore/plan-merge.js';
export { type FilterCondition, parseWhere, renderWhere, type RowFilter } from '../backup/restore/where-filter.js';
export { checksumChunks } from '../src/rows/checksum-chunks.js';
export {
  type ChunkSum,
  checksumChunksSql,
  chooseChunkScheme,
  chunkCondition,
  diffChunks,
} from '../src/rows/chunk-sql.js';
export { discoverTables, selectTables } from '../src/catalog/discover-tables.js';
export { mirrorDdl } from '../sync/full/mirror-ddl.js';
export { describePlan, planSync, type SyncPlan, type SyncStrategy, type TablePlan } from '../sync/full/plan-sync.js';
export { loadReportDefinitions, parseReportDefinition, type ReportDefinition } from '../sync/reports/report-definitions.js';
export { HISTORY_TABLE, type RunRecord, recentRuns } from '../src/history/run-history.js';
export { runSync, type SyncOptions, type SyncResult } from '../sync/full/run-sync.js';
export { type ScheduledJob, type SchedulerHandle, startScheduler, validateJobs } from '../ops/schedule.js';
export type { TableSyncResult } from '../sync/full/sync-table.js';
export type { ChunkScheme, ColumnMeta, TableMeta } from '../src/catalog/table-meta.js';
export { driftedTables, type VerifyResult, type VerifyTableResult, verifyMirrors } from '../sync/verify/verify.js';
export { type CaptureStatus, installCapture, readCapture, removeCapture } from '../sync/capture/capture.js';
export {
  type IncrementalCost,
  type IncrementalFallbackResult,
  type IncrementalOptions,
  type IncrementalResult,
  type IncrementalRunResult,
  type IncrementalTableResult,
  runIncrementalSync,
} from '../sync/incremental/run-incremental.js';
export {
  type ChangeFacts,
  type IncrementalFacts,
  type IncrementalPlan,
  type IncrementalRunPlan,
  type IncrementalStep,
  planIncremental,
  type SourceFacts,
  type WholeTable,
} from '../sync/incremental/plan-incremental.js';
export { describeIncrementalPlan } from '../sync/incremental/describe-incremental-plan.js';
export type { CascadeRule } from '../sync/incremental/derive-cascades.js';
export { type ConfigFile, loadConfigFile, parseConfigFile } from '../src/config/config-file.js';
export { parseMysqlUrl } from '../src/config/parse-url.js';
export { type ResolvedConfig, resolveConfig } from '../src/config/resolve-config.js';
export type { ConnectionTarget, ExecResult, Row, SqlConnection, SqlConnector } from '../src/db/connection.js';
export { createConnector } from '../src/db/mysql-driver.js';
export { qualify, quoteId } from '../src/db/quote.js';
export {
  AbortedError,
  ConfigError,
  ConnectionError,
  DriftError,
  DualpipeError,
  ExitCode,
  exitCodeFor,
  LockBusyError,
  ServerError,
  StepError,
  UsageError,
} from '../src/errors.js';
export { acquireRunLock, lockName } from '../src/lock/run-lock.js';
export { createLogger, type Logger } from '../src/log/logger.js';
export {
  embeddedServerStatus,
  startEmbeddedServer,
  stopEmbeddedServer,
} from '../src/server/embedded-server.js';
export { type GrantsOptions, type GrantsResult, runGrants } from '../ops/grants/apply-grants.js';
export { type AccountPlan, planGrants } from '../ops/grants/grant-plan.js';
export { ROLE_GRANTS, ROLES, type Role } from '../ops/grants/role-privileges.js';
export { VERSION } from '../src/version.js';
export { createPipeline, type Pipeline, type PipelineConfig } from '../src/pipeline.js';
