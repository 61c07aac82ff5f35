/**
 * The rows and bytes a scheduled run moved, told to the run-event bus (the scheduler's metrics
 * count them). Taken from the results the runs return, so the data path itself is left alone.
 */
import { emitRunEvent } from '../src/log/run-events.js';

/** The parts of a sync result that say how much moved. */
export interface SyncMovement {
  tables: readonly { rows: number }[];
  /** Incremental runs: what they applied (absent when the run was a full sync). */
  cost?: { rowsMoved: number } | undefined;
}

/** Rows a sync moved: an incremental run's applied rows, else the rows copied into the mirrors. */
export function rowsMovedBySync(r: SyncMovement): number {
  return r.cost ? r.cost.rowsMoved : r.tables.reduce((n, t) => n + t.rows, 0);
}

/** Emits `data-moved` for a sync job's result and returns the result. */
export function tellSyncMoved<T extends SyncMovement>(job: string, result: T): T {
  emitRunEvent({ type: 'data-moved', kind: job, rows: rowsMovedBySync(result) });
  return result;
}

/** Emits `data-moved` for a backup: the rows dumped and the bytes written (from its manifest totals). */
export function tellBackupMoved(job: string, totals: { rows: number; bytes: number }): void {
  emitRunEvent({ type: 'data-moved', kind: job, rows: totals.rows, bytes: totals.bytes });
}
