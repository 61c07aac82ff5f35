/** The options and result of `dualpipe restore` (run-restore.ts). */
import type { SqlConnector } from '../../src/db/connection.js';
import type { Logger } from '../../src/log/logger.js';
import type { ThrottleLimits } from '../../src/guard/throttle-limits.js';
import type { ThrottleStats } from '../../src/guard/throttle.js';
import type { BackupKey } from '../format/backup-key.js';
import type { HistoryPlace } from '../../src/history/record-run.js';
import type { LostRowCount } from './count-lost-rows.js';
import type { RestorePlan } from './plan-restore.js';
import type { ErasureKey } from '../../src/erasure/erasure-key.js';
import type { WithheldRows } from './erasure-ledger-restore.js';
import type { ArchiveRestoreResult } from './restore-archive.js';

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
  /** The erasure key (`--erasure-key-file`): needed when the united erasure ledger is not empty (erasure-ledger-restore.ts). */
  erasureKey?: ErasureKey;
  /**
   * Also restore the backup's archive part into `<target>_archive` (restore-archive.ts), replacing
   * the archive there; refused when the backup has none. Off by default: see restore-archive.ts.
   */
  archive?: boolean;
  /** Apply no erasure ledger: only for a restore into a scratch schema that is dropped unseen (verify's restore test). */
  ignoreErasures?: boolean;
  /**
   * Asked when the restore replaces live tables, with the rows it would discard as far as they are
   * known before the load (count-lost-rows.ts); false cancels. Without it the library proceeds.
   */
  confirm?: (plan: RestorePlan, lost?: LostRowCount) => boolean | Promise<boolean>;
  /**
   * Rows written since the backup (or sync) that the restore would discard: `refuse` throws a
   * UsageError as soon as any are known (before the load from the change log, else before the swap
   * from the comparison with the staged backup), nothing changed; `discard` (default) proceeds; a
   * function is asked instead of refusing (after `confirm`), and false cancels, nothing changed.
   */
  lostRows?: LostRowsPolicy;
  /** Copy the discarded live rows into this schema before the swap (README, Restore). */
  keepLost?: string;
  /** The sync history: tells whether the capture log reaches back to the backup (count-lost-rows.ts). */
  syncHistory?: HistoryPlace;
  /** What the lost rows were written since, in messages: the `backup` (default) or the `last sync` (`--from-mirrors`). */
  since?: 'backup' | 'last sync';
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
  /**
   * The rows discarded (a real restore: compared with the staged backup before the swap) or that a
   * dry run would discard (from the change log, or unknown with why); absent when nothing is replaced.
   */
  lostRows?: LostRowCount;
  /** The rows withheld because the erasure ledger names them (or a cascade took them with such a row); absent when the ledger is empty. */
  withheld?: WithheldRows;
  /** `keepLost`: where the discarded live rows were copied, per table (`whole`: no primary key, the whole table). */
  keptLost?: { schema: string; tables: { table: string; rows: number; whole: boolean }[] };
  /** `archive`: the archive restored into `<target>_archive` (restore-archive.ts). */
  archive?: ArchiveRestoreResult;
}

/**
 * What a restore does about rows written since the backup that it would discard: refuse, discard,
 * or ask (the CLI on a terminal without --yes). The function gets the count as then known.
 */
export type LostRowsPolicy = 'refuse' | 'discard' | ((lost: LostRowCount) => boolean | Promise<boolean>);
