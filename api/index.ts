/**
 * dualpipe's public API, the package entry: every operation the CLI runs is callable from here,
 * with its options and result types (the CLI itself imports nothing else). Grouped by layer, from
 * the ground up. Internals (SQL builders, codecs, DDL helpers, planners) stay behind it.
 */

// ── Core (src/): errors, logging, configuration, connections, the pipeline, the embedded server ──

export {
  AbortedError,
  BackupError,
  ChangeLogKeyError,
  ChunkAuthError,
  ConfigError,
  CheckVerdictError,
  ConnectionError,
  DamagedDataError,
  DriftError,
  DualpipeError,
  FileAccessError,
  InternalError,
  LockBusyError,
  MissingSchemaError,
  SchemaChangedError,
  ServerError,
  StaleError,
  StepError,
  TargetError,
  TargetPathError,
  TlsError,
  type UnsupportedTable,
  UnsupportedTableError,
  UsageError,
} from '../src/errors.js';
export { type ErrorClass, EXIT_CODES, ExitCode, exitCodeFor, type ExitCodeValue } from '../src/exit-codes.js';
export { createLogger, type Logger, silentLogger } from '../src/log/logger.js';
export { type LogFile, openLogFile } from '../src/log/log-file.js';
export { redactSecrets } from '../src/log/redact.js';
export { type ConfigFile, loadConfigFile, parseConfigFile } from '../src/config/config-file.js';
export { parseMysqlUrl } from '../src/config/parse-url.js';
export {
  LEGACY_STATE_DIR,
  type ResolvedStateDir,
  resolveStateDir,
  serverDirIn,
  type StateDirInputs,
  type StateDirSource,
} from '../src/config/state-dir.js';
export { type ConfigInputs, type ResolvedConfig, resolveConfig, type SyncSettings } from '../src/config/resolve-config.js';
export type { ConnectionFlags } from '../src/config/resolve-connections.js';
export type { ConnectionTarget, ExecResult, Row, SqlConnection, SqlConnector, SslMode, TlsSettings } from '../src/db/connection.js';
export { createConnector } from '../src/db/mysql-driver.js';
export { createPipeline, type Pipeline, type PipelineConfig } from '../src/pipeline.js';
export {
  DEFAULT_SERVER_DIR,
  embeddedServerStatus,
  embeddedTarget,
  embeddedUrl,
  type StartOptions,
  startEmbeddedServer,
  stopEmbeddedServer,
} from '../src/server/embedded-server.js';
export type { ServerTls } from '../src/server/server-args.js';
export { fetchMysql, mysqlCacheDir } from '../src/server/fetch-mysql.js';
export { planServer, type ServerFindings, type ServerFlavor, type ServerPlan, type ServerRequest } from '../src/server/server-plan.js';
export type { EmbeddedServerState } from '../src/server/server-state.js';
export { HISTORY_TABLE, type RunRecord, recentRuns } from '../src/history/run-history.js';
export { type HistoryPlace, recordRun, type RecordRunOptions, type RecordedRun, type RunOutcome } from '../src/history/record-run.js';
export { VERSION } from '../src/version.js';

// ── Schema (schema/): the CRM's migrations and deterministic sample data ──

export {
  type MigrateResult,
  type MigrationState,
  migrate,
  migrationStatus,
  type SchemaTarget,
  type SeedOptions,
  type SeedProgress,
  type SeedResult,
  seed,
} from '../schema/index.js';

// ── Sync (sync/): full and incremental syncs, verify, report definitions ──

export { runSync, type SyncOptions, type SyncResult } from '../sync/full/run-sync.js';
export type { SyncRunOptions } from '../sync/full/sync-run-options.js';
export type { SyncStrategy } from '../sync/full/plan-sync.js';
export type { TableSyncResult } from '../sync/full/sync-table.js';
export {
  type IncrementalCost,
  type IncrementalFallbackResult,
  type IncrementalOptions,
  type IncrementalResult,
  type IncrementalRunResult,
  type IncrementalTableResult,
  runIncrementalSync,
} from '../sync/incremental/run-incremental.js';
export type {
  ChangeFacts,
  IncrementalFacts,
  IncrementalPlan,
  IncrementalRunPlan,
  IncrementalStep,
  SourceFacts,
  WholeTable,
} from '../sync/incremental/plan-incremental.js';
export type { CascadeRule } from '../sync/capture/derive-cascades.js';
export type { CaptureStatus } from '../sync/capture/capture.js';
export { driftedTables, type VerifyOptions, type VerifyResult, type VerifyTableResult, verifyMirrors } from '../sync/verify/verify.js';
export { runSyncAndVerify, type SyncVerifyResult } from '../sync/verify/sync-and-verify.js';
export { loadReportDefinitions, type ReportDefinition } from '../sync/reports/report-definitions.js';
export {
  isCrmSchema,
  listReports,
  listSourceTables,
  loadReportSet,
  loadReportsDir,
  type ReportListing,
  type ReportSetOptions,
} from '../sync/reports/report-set.js';
export { lintReportsDirs, lintReportText, type ReportProblem } from '../sync/reports/lint-report.js';
export { reportTableName, reportTemplate, writeReportTemplate } from '../sync/reports/new-report.js';
export { checkReport, type ReportCheck, scratchTableName } from '../sync/reports/check-report.js';

// ── Backup (backup/): backups, their inventory, restore, merge and rollback ──

export { type BackupOptions, type BackupResult, runBackup } from '../backup/dump/run-backup.js';
export { type BackupInfo, listBackups, pruneBackups } from '../backup/dump/inventory.js';
export type { PruneDecision } from '../backup/dump/prune-plan.js';
export { type BackupKey, readBackupKey, writeNewKey } from '../backup/format/backup-key.js';
export type { Manifest, ManifestTable } from '../backup/format/manifest.js';
export { COMPRESSIONS, type Compression } from '../backup/format/chunk-compression.js';
export { verifyBackup, type VerifyBackupResult } from '../backup/restore/verify-backup.js';
export { type RestoreOptions, type RestoreResult, type RestoreTableResult, runRestore } from '../backup/restore/run-restore.js';
export type { RestorePlan } from '../backup/restore/plan-restore.js';
export { describeLost, type LostRowCount, type LostTable } from '../backup/restore/count-lost-rows.js';
export { type FromMirrorsOptions, restoreFromMirrors } from '../backup/restore/restore-from-mirrors.js';
export { dropPrevious, type RestoreInfo, rollbackRestore, type RollbackOptions } from '../backup/restore/rollback-restore.js';
export { type MergeOptions, type MergeResult, type MergeTableResult, runMerge } from '../backup/restore/run-merge.js';

// ── Ops (ops/): the operations over both sides: capture, status, check, doctor, grants, schedule ──

export { type CaptureSide, changeCaptureStatus, installChangeCapture, removeChangeCapture } from '../ops/change-capture.js';
export { type CheckOptions, checkTables, type RepairOutcome, type TableCheckResult, type TableHealth } from '../ops/check-tables.js';
export { parseDuration, type PipelineStatus, type RunSummary, type TableFreshness } from '../ops/status.js';
export { pipelineStatus, RUN_KINDS, type StatusOptions } from '../ops/read-status.js';
export {
  type AgeThreshold,
  CHECK_EXIT_CODES,
  type CheckProblem,
  type CheckState,
  type CheckThresholds,
  type CheckVerdict,
  decideCheck,
  DEFAULT_CHECK_THRESHOLDS,
  parseAgeThreshold,
  type Severity,
  singleVerdict,
} from '../ops/status-check.js';
export { describeLockHolder, type LockHolder } from '../src/history/lock-holder.js';
export {
  type Health,
  type ListenAddress,
  parseListenAddress,
  type SchedulerMetrics,
  type ServedMetrics,
  type ServeMetricsOptions,
  serveSchedulerMetrics,
} from '../ops/metrics/index.js';
export type { DoctorCheck, Verdict } from '../ops/doctor/doctor-check.js';
export { type DoctorOptions, type DoctorResult, runDoctor } from '../ops/doctor/run-doctor.js';
export { type GrantsOptions, type GrantsResult, runGrants } from '../ops/grants/apply-grants.js';
export { validateAccountParts } from '../ops/grants/grant-plan.js';
export { parseRoles, passwordEnv, type Role, ROLE_GRANTS, ROLES } from '../ops/grants/role-privileges.js';
export {
  type BackupVerification,
  type HistorySide,
  recordBackupVerification,
  type VerifyAndRecordOptions,
  verifyAndRecordBackup,
} from '../ops/record-verification.js';
export { requireNoDrift } from '../ops/require-no-drift.js';
export { restoreThenSync, type RestoreThenSyncOptions, type RestoreThenSyncResult } from '../ops/restore-then-sync.js';
export { dropPreviousAndRecord, mergeAndRecord, rollbackAndRecord } from '../ops/record-restore-actions.js';
export { pruneAndRecord, type PruneAndRecordOptions } from '../ops/prune-and-record.js';
export {
  type CronSchedule,
  type CronTimer,
  type JobEnd,
  nodeCronTimer,
  type ScheduledJob,
  type SchedulerHandle,
  type SchedulerOptions,
  startScheduler,
  validateJobs,
} from '../ops/schedule.js';
export { type JobCrons, scheduleJobs, type ScheduleJobsOptions } from '../ops/schedule-jobs.js';
export { type ScheduledBackupSettings, scheduledBackupJob } from '../ops/scheduled-backup.js';

// ── Guard (src/guard/): the stall watchdog and run bounds ──
export { StallError } from '../src/errors.js';
export { type ConnectorOptions } from '../src/db/mysql-driver.js';
export { formatSeconds, parseRunDuration } from '../src/guard/duration.js';
export { type ProbeVerdict, probeServer } from '../src/guard/probe-server.js';
export { DEFAULT_CONNECT_TIMEOUT_MS, type LimitInputs, resolveRunLimits, type RunLimits } from '../src/guard/run-limits.js';
export { DEFAULT_STALL_TIMEOUT_MS, notePhase, RunWatch, type RunWatchOptions, type WatchedOp, type WatchedStatement, type WatchLimits } from '../src/guard/run-watch.js';
export { type ProbeOptions, watchConnector } from '../src/guard/watched-connector.js';
export { createWatchedPipeline, type RunIn, runWatched } from '../ops/watched-pipeline.js';
export {
  DEFAULT_MAX_PAUSE_SECONDS,
  describeLoadLimits,
  type LoadLimit,
  parseDurationSeconds,
  parseLoadLimits,
  type ThrottleLimits,
} from '../src/guard/throttle-limits.js';
export { createThrottle, type Throttle, type ThrottleOptions, type ThrottleStats } from '../src/guard/throttle.js';
export { ThrottleError } from '../src/guard/throttle-error.js';
export { errorCodeOf } from '../src/exit-codes.js';
export { isoTime, isoTimestamps } from '../src/log/iso-time.js';
export { internalSchemaOf } from '../src/catalog/internal-schema.js';
export { FRESHNESS_VIEW } from '../sync/shadow/freshness.js';
export { type ArchiveOptions, runArchive } from '../ops/archive/run-archive.js';
export type { ArchiveResult, KeptReport } from '../ops/archive/archive-result.js';
export { runUnarchive, type UnarchiveOptions, type UnarchiveResult } from '../ops/archive/run-unarchive.js';
export { type ArchiveRunSummary, type ArchiveStatus, type OpenArchiveChunk, readArchiveStatus } from '../ops/archive/archive-status.js';
export type { ArchiveRestoreResult } from '../backup/restore/restore-archive.js';
export { archiveLockName, archiveSchemaOf } from '../src/lock/archive-lock.js';
export { type ForgetOptions, runForget } from '../ops/forget/run-forget.js';
export { type ReapplyOptions, type ReapplyResult, reapplyErasures } from '../ops/forget/reapply-ledger.js';
export type { ForgetPublish, ForgetResult, ForgetTableCount, NulledReport } from '../ops/forget/forget-result.js';
export type { PublishSyncOptions } from '../ops/forget/publish-erasure.js';
export { type ErasureKey, erasureKeyOf, readErasureKey } from '../src/erasure/erasure-key.js';
