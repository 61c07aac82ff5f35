/** The options and result of `dualpipe restore` (run-restore.ts). */
import type { SqlConnector } from '../../src/db/connection.js';
import type { Logger } from '../../src/log/logger.js';
import type { ThrottleLimits } from '../../src/guard/throttle-limits.js';
import type { ThrottleStats } from '../../src/guard/throttle.js';
import type { BackupKey } from '../format/backup-key.js';
import type { RestorePlan } from './plan-restore.js';

/** Options of `runRestore`. */
export interface RestoreOptions {
  /** The server of the target schema (the source InnoDB server). */
  connector: SqlConnector;
  /** A backup directory, or a folder of backups (the newest complete one is used). */
  from: string;
  target: string;
  /** Parallel loading sessions (default 2). */
  threads?: number;
  /** `after-load` (default): secondary indexes and foreign keys are added after the load. */
  indexes?: 'after-load' | 'create';
  dryRun?: boolean;
  /** Restore only these tables (their dependents must be among them; parents left out stay live). */
  tables?: readonly string[];
  /** The target is dualpipe's own scratch schema (a merge restore's), which users may not name. */
  scratch?: boolean;
  /** The key of an encrypted backup: refused before anything is written when missing or wrong. */
  key?: BackupKey;
  /** Asked when the restore replaces live tables; false cancels. Without it the library proceeds. */
  confirm?: (plan: RestorePlan) => boolean | Promise<boolean>;
  waitForLockSeconds?: number;
  /** How long the RENAME retries without making the application's queries wait (MariaDB). */
  swapWaitMs?: number;
  logger?: Logger;
  clock?: () => Date;
  signal?: AbortSignal;
  /** Throttling (README "Throttling"): the target server's load, checked before each chunk load. */
  throttle?: ThrottleLimits;
  onProgress?: (event: { item: string; done: number; total: number; unit: string }) => void;
}

/** One restored table. */
export interface RestoreTableResult {
  table: string;
  rows: number;
  chunks: number;
  bytes: number;
  replaced: boolean;
  /** Seconds from the start of the load until the table's last chunk was in. */
  loadedAfterSeconds: number;
  indexSeconds: number;
}

/** What a restore did (or, for a dry run, would do). */
export interface RestoreResult {
  dryRun: boolean;
  backupDir: string;
  backupFinishedAt: string;
  syncRunId: number;
  target: string;
  /** The rollback window: null for dry runs and when no live table was replaced (nothing to roll back to). */
  previous: string | null;
  tables: RestoreTableResult[];
  skipped: { table: string; reason: string }[];
  replaced: string[];
  foreignKeysChecked: number;
  rows: number;
  bytes: number;
  seconds: number;
  rowsPerSecond: number;
  cleanedUp: string[];
  notes: string[];
  planText?: string;
  /**
   * The command that replays the source's binary log from the backup's snapshot (point-in-time
   * recovery; binlog-replay.ts), with placeholders for the stop position and later files: set when
   * the manifest records a start and the backup went back into its own source schema.
   */
  binlogReplay?: string;
  /** How often and how long the restore paused for its throttle (present when it had limits). */
  throttle?: ThrottleStats;
}
