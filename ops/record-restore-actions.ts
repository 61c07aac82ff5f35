/**
 * The restore actions besides a whole restore, as recorded runs of kind `restore`: a merge of some
 * rows (strategy `merge`), a rollback of the last restore (`rollback`) and the drop of its rollback
 * window (`drop-previous`). A DBA reading `status` after an incident sees every change made to the
 * source, failures included. A dry run changes nothing and is not recorded.
 */
import { dropPrevious, rollbackRestore, type RollbackOptions } from '../backup/restore/rollback-restore.js';
import { type MergeOptions, type MergeResult, runMerge } from '../backup/restore/run-merge.js';
import { type HistoryPlace, recordRun } from '../src/history/record-run.js';

/** Where to record; without it the action simply runs. */
interface Recorded {
  history?: HistoryPlace;
}

/** `runMerge`, recorded (strategy `merge`) unless it is a dry run. */
export async function mergeAndRecord(o: MergeOptions & Recorded): Promise<MergeResult> {
  const { history, ...merge } = o;
  if (!history || merge.dryRun) return runMerge(merge);
  return recordRun(history, { kind: 'restore', strategy: 'merge', bestEffort: true }, () => runMerge(merge), (r) => ({
    details: { target: r.target, from: r.backupDir, where: merge.where, inserted: r.inserted, conflicts: r.conflicts, seconds: r.seconds },
  }));
}

/** `rollbackRestore`, recorded (strategy `rollback`). */
export async function rollbackAndRecord(o: RollbackOptions & Recorded): ReturnType<typeof rollbackRestore> {
  const { history, ...rollback } = o;
  if (!history) return rollbackRestore(rollback);
  return recordRun(history, { kind: 'restore', strategy: 'rollback', bestEffort: true }, () => rollbackRestore(rollback), (r) => ({
    details: { target: r.target, restoredAt: r.restoredAt, putBack: r.putBack.length, removed: r.removed.length },
  }));
}

/** `dropPrevious`, recorded (strategy `drop-previous`) when there was a window to drop. */
export async function dropPreviousAndRecord(o: Parameters<typeof dropPrevious>[0] & Recorded): ReturnType<typeof dropPrevious> {
  const { history, ...drop } = o;
  if (!history) return dropPrevious(drop);
  return recordRun(history, { kind: 'restore', strategy: 'drop-previous', bestEffort: true }, () => dropPrevious(drop), (r) => ({
    details: { previous: r.previous, dropped: r.dropped, tables: r.tables },
  }));
}
