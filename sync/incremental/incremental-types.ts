/** Options and results of `sync --incremental` (run-incremental.ts). */
import type { Logger } from '../../src/log/logger.js';
import type { Pipeline } from '../../src/pipeline.js';
import type { SyncResult } from '../full/run-sync.js';
import type { ReportDefinition } from '../reports/report-definitions.js';
import type { IncrementalPlan } from './plan-incremental.js';

/** Options of an incremental sync: only what an incremental run honours. */
export interface IncrementalOptions {
  /** The source and report sides (see src/pipeline.ts). */
  pipeline: Pipeline;
  /** Tables written in parallel when the shadow set is copied; report refreshes in parallel. */
  threads?: number;
  /** Rows per chunk of the `paranoid` check (and of a full sync the run turns into). */
  chunkRows?: number;
  /**
   * Source tables to mirror (sync.include). Incremental runs cover every table, so a list makes
   * the run a full sync of those tables (and the next run a full one again).
   */
  include?: readonly string[];
  /** Source tables (or * patterns) to leave out; a steady list is honoured incrementally. */
  exclude?: readonly string[];
  /** How long the swap keeps retrying without making analysts wait (MariaDB), before it waits in line. */
  swapWaitMs?: number;
  /** Seconds to wait for another run's lock (0: exit 4 at once). */
  waitForLockSeconds?: number;
  /** Reads the servers and returns the plan (`result.plan`); writes nothing and takes no lock. */
  dryRun?: boolean;
  reports?: readonly ReportDefinition[];
  logger?: Logger;
  clock?: () => Date;
  signal?: AbortSignal;
  onProgress?: (event: { item: string; done: number; total: number }) => void;
  /**
   * Also compare per-chunk checksums of every shadow mirror with the snapshot before the swap, and
   * rewrite the chunks that differ (the safety net against changes the triggers could not see:
   * triggers dropped and recreated by hand, writes with triggers disabled, a damaged MyISAM file).
   */
  paranoid?: boolean;
  /** Above this share of the source's rows in the change log, a full sync is cheaper. */
  maxChangeShare?: number;
}

/** What an incremental run cost, per table. */
export interface IncrementalTableResult {
  table: string;
  /** Keys from the change log, from cascades, and re-applied for the shadow set. */
  logKeys: number;
  cascadeKeys: number;
  journalKeys: number;
  whole: boolean;
  rowsDeleted: number;
  rowsWritten: number;
  /** Batches of keys whose server-side copy had rows newer than the snapshot, streamed again from it. */
  batchesRepaired: number;
  /** Rows of the mirror after the run. */
  rows: number;
}

/** What an incremental run cost in total. */
export interface IncrementalCost {
  changeLogRows: number;
  keysApplied: number;
  rowsMoved: number;
  /** Key batches copied server-side that met newer rows and were streamed from the snapshot. */
  batchesRepaired: number;
  cascadeRows: number;
  reportKeys: number;
  reportsRebuilt: number;
  primedShadow: boolean;
  /** With `paranoid`: chunks compared with the snapshot, and chunks found different and rewritten. */
  chunksCompared: number;
  chunksRewritten: number;
}

/** An incremental run that ran as one (or, with `dryRun`, would). */
export interface IncrementalRunResult extends Omit<SyncResult, 'kind'> {
  kind: 'incremental';
  incremental: true;
  /** Absent: the run was incremental. */
  fullSyncReason?: undefined;
  /** The plan (dry runs only; `planText` is its human form). */
  plan?: IncrementalPlan;
  /** Absent in dry runs. */
  cost?: IncrementalCost;
  changes?: IncrementalTableResult[];
}

/** An incremental run that did (or, with `dryRun`, would do) a full sync instead, and why. */
export interface IncrementalFallbackResult extends SyncResult {
  incremental: true;
  fullSyncReason: string;
  /** The plan (dry runs only). */
  plan?: IncrementalPlan;
  /** Absent: no incremental work was done. */
  cost?: undefined;
  changes?: undefined;
}

/** What `runIncrementalSync` did: `kind` says which sync ran. */
export type IncrementalResult = IncrementalRunResult | IncrementalFallbackResult;
