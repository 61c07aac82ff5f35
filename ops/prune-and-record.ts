/**
 * `dualpipe backup prune` as a recorded run (kind `prune`): a prune that fails (a read-only or
 * vanished backup disk) shows in `status` and in `status --check` like any other failed run. A
 * dry run changes nothing and is not recorded; without a history the prune simply runs.
 */
import { pruneBackups } from '../backup/dump/inventory.js';
import type { PruneDecision } from '../backup/dump/prune-plan.js';
import { type HistoryPlace, recordRun } from '../src/history/record-run.js';

/** The options of `pruneBackups`, and where to record the run. */
export type PruneAndRecordOptions = Parameters<typeof pruneBackups>[1] & {
  /** The run history to record in; without it nothing is recorded. */
  history?: HistoryPlace;
};

/** Applies retention in `folder` (see `pruneBackups`) and records the outcome. */
export async function pruneAndRecord(folder: string, o: PruneAndRecordOptions): Promise<PruneDecision> {
  const { history, ...options } = o;
  if (!history || options.dryRun) return pruneBackups(folder, options);
  return recordRun(history, { kind: 'prune', bestEffort: true }, () => pruneBackups(folder, options), (d) => ({
    details: { folder, removed: d.remove.map((r) => r.name), kept: d.keep.length },
  }));
}
