/** Options and results of `sync --incremental` (run-incremental.ts). */
import type { SyncOptions, SyncResult } from '../full/run-sync.js';

/** Options of an incremental sync: those of a full sync, and its own. */
export interface IncrementalOptions extends SyncOptions {
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

/** What an incremental run cost: changes read, keys applied, rows moved, reports refreshed. */
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

/** What an incremental sync did (or, with `fullSyncReason`, the full sync it turned into). */
export interface IncrementalResult extends SyncResult {
  incremental: true;
  /** Set when the run did a full sync instead, with the reason. */
  fullSyncReason?: string;
  cost?: IncrementalCost;
  changes?: IncrementalTableResult[];
}
