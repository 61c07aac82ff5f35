/** The options every sync run takes, full or incremental (`SyncOptions`, `IncrementalOptions`). */
import type { ThrottleLimits } from '../../src/guard/throttle-limits.js';
import type { Logger } from '../../src/log/logger.js';
import type { Pipeline } from '../../src/pipeline.js';
import type { ReportDefinition } from '../reports/report-definitions.js';
import type { ReportSetOptions } from '../reports/report-set.js';

/** What a sync run of either kind honours. */
export interface SyncRunOptions {
  /** The source and report sides (see src/pipeline.ts). */
  pipeline: Pipeline;
  /** Tables copied in parallel (and report refreshes of an incremental run). */
  threads?: number;
  /** Rows per checksum chunk of the repair pass (and of `--paranoid`). */
  chunkRows?: number;
  /**
   * Source tables to mirror (sync.include). Incremental runs cover every table, so a list makes
   * an incremental run a full sync of those tables (and the next run a full one again).
   */
  include?: readonly string[];
  /** Source tables (or * patterns) to leave out; a steady list is honoured incrementally. */
  exclude?: readonly string[];
  /** How long the swap keeps retrying without making analysts wait (MariaDB), before it waits in line. */
  swapWaitMs?: number;
  /** Seconds to wait for another run's lock (0: exit 4 at once). */
  waitForLockSeconds?: number;
  /** Reads the servers and returns the plan; writes nothing and takes no lock. */
  dryRun?: boolean;
  /** Report definitions; when given, `reportSet` is not looked at. */
  reports?: readonly ReportDefinition[];
  /**
   * Where the reports come from when `reports` is not given: folders read at run time, plus the
   * bundled CRM reports for the CRM schema (sync/reports/report-set.ts). Default: the bundled
   * reports if the source is the CRM, else none.
   */
  reportSet?: ReportSetOptions;
  logger?: Logger;
  /** The clock of the run's timestamps (tests pass their own). */
  clock?: () => Date;
  /** Aborts the run; nothing is swapped in after an abort. */
  signal?: AbortSignal;
  /**
   * Throttling (--max-load, --critical-load, --max-lag, --max-pause), checked against the source
   * before each table copy, key batch and report build (src/guard/throttle.ts).
   */
  throttle?: ThrottleLimits;
  /** Per-table progress, for progress bars. */
  onProgress?: (event: { item: string; done: number; total: number }) => void;
}
