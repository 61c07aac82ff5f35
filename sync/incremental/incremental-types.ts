/** Options and results of `sync --incremental` (run-incremental.ts). */
import type { SyncResult } from '../full/run-sync.js';
import type { SyncRunOptions } from '../full/sync-run-options.js';
import type { IncrementalPlan } from './plan-incremental.js';

/**
 * Options of an incremental sync: those of every sync run (no `strategy`: an incremental run
 * always builds aside and swaps), and its own.
 */
export interface IncrementalOptions extends SyncRunOptions {
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
  /** Of rowsWritten, rows of journal keys copied from the live mirror instead of read from the source. */
  rowsFromLive: number;
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
  /** Of reportKeys, keys whose rows were copied from the live report instead of recomputed. */
  reportKeysFromLive: number;
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
