/**
 * `dualpipe restore [--from DIR | --from-mirrors] [--sync]`: a restore from files or from the live
 * mirrors, then, when asked, a full sync. A restore into the source schema leaves the mirrors
 * stale (they still hold what was there before), so the sync rebuilds them from the restored
 * tables. Only a real restore into the source schema is followed by a sync.
 */
import type { FromMirrorsOptions } from '../backup/restore/restore-from-mirrors.js';
import { restoreFromMirrors } from '../backup/restore/restore-from-mirrors.js';
import type { RestoreOptions, RestoreResult } from '../backup/restore/restore-types.js';
import { runRestore } from '../backup/restore/run-restore.js';
import { UsageError } from '../src/errors.js';
import { type HistoryPlace, recordRun } from '../src/history/record-run.js';
import { runSync, type SyncOptions, type SyncResult } from '../sync/full/run-sync.js';

/** A restore from files (`from`) or from the mirrors (`pipeline`, no `from`), and the sync after it. */
export type RestoreThenSyncOptions = (RestoreOptions | FromMirrorsOptions) & {
  /** Run a full sync with these options once the restore is in (needs a restore, not a dry run, into the source schema). */
  sync?: SyncOptions;
  /** Called when the restore is done, before the sync starts. */
  onRestored?: (result: RestoreResult) => void;
  /** The run history to record the restore in (kind `restore`, failures included); a dry run is not recorded. */
  history?: HistoryPlace;
};

/** The restore's result, with the sync's when one ran. */
export type RestoreThenSyncResult = RestoreResult & { sync?: SyncResult };

/** Restores, then syncs when `sync` is given. */
export async function restoreThenSync(o: RestoreThenSyncOptions): Promise<RestoreThenSyncResult> {
  const { sync, onRestored, history, ...restore } = o;
  if (sync && (restore.dryRun || restore.target !== sync.pipeline.sourceSchema)) {
    throw new UsageError(`a sync after a restore needs a restore (not a dry run) into the source schema ${sync.pipeline.sourceSchema}`, {
      hint: 'run the sync on its own',
    });
  }
  const run = (): Promise<RestoreResult> => ('from' in restore ? runRestore(restore) : restoreFromMirrors(restore));
  const result: RestoreThenSyncResult =
    history && !restore.dryRun
      ? await recordRun(history, { kind: 'restore', bestEffort: true }, run, (r) => ({
          details: {
            target: r.target,
            tables: r.tables.length,
            rows: r.rows,
            seconds: r.seconds,
            // What the restore discarded (and kept, with --keep-lost): the history says it after the rollback window is gone.
            ...(r.lostRows ? { discarded: r.lostRows.rows } : {}),
            ...(r.keptLost ? { keptIn: r.keptLost.schema } : {}),
          },
        }))
      : await run();
  onRestored?.(result);
  if (sync) result.sync = await runSync(sync);
  return result;
}
