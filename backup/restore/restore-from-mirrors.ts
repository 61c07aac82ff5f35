/**
 * `dualpipe restore --from-mirrors`: rebuilds the InnoDB tables from the live MyISAM mirrors, the
 * design's "either side can be rebuilt from the other". It is a backup of the mirrors into a
 * scratch folder (under the sync lock and read locks: one sync's state) followed by a restore of
 * it, so it gets every check of a restore from files (manifest, hashes, schema version, columns,
 * row counts, content checksums, foreign keys) and its one atomic swap and rollback window. The
 * scratch folder is removed afterwards, whatever happened. With `tables` only those are rebuilt
 * (the restore from files' `--tables` path: parents left out stay live, dependents must be named).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/errors.js';
import type { Pipeline } from '../../src/pipeline.js';
import type { Manifest } from '../format/manifest.js';
import { runBackup } from '../dump/run-backup.js';
import { type RestoreOptions, type RestoreResult, runRestore } from './run-restore.js';

/** A restore whose backup is taken from the pipeline's mirrors first (into a scratch folder). */
export interface FromMirrorsOptions extends Omit<RestoreOptions, 'from'> {
  /** The mirrors are read from the report side. */
  pipeline: Pipeline;
  /** Where the scratch backup goes (default: the system's temporary folder). */
  workDir?: string;
}

/** Rebuilds the InnoDB tables from the live MyISAM mirrors (a backup of them, then a restore). */
export async function restoreFromMirrors(o: FromMirrorsOptions): Promise<RestoreResult & { syncRunId: number }> {
  const scratch = await mkdtemp(join(o.workDir ?? tmpdir(), 'dualpipe-from-mirrors-'));
  try {
    const backup = await runBackup({
      pipeline: o.pipeline,
      to: scratch,
      compress: 'none',
      ...(o.threads ? { threads: o.threads } : {}),
      ...(o.waitForLockSeconds !== undefined ? { waitForLockSeconds: o.waitForLockSeconds } : {}),
      ...(o.logger ? { logger: o.logger } : {}),
    });
    if (o.tables) checkMirrorNames(o.tables, backup.manifest, o.pipeline.reportSchema);
    const { pipeline: _p, workDir: _w, ...restore } = o;
    // The mirrors are of the last sync: the change log holds exactly the writes since (count-lost-rows.ts).
    const history = o.syncHistory ?? { report: o.pipeline.report, reportSchema: o.pipeline.reportSchema };
    const result = await runRestore({ ...restore, from: backup.dir, syncHistory: history, since: o.since ?? 'last sync' });
    return { ...result, syncRunId: backup.manifest.sync.runId };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * `tables` must name mirrors of the last sync. Checked here, before the restore plans, so the
 * refusal names the report schema rather than the scratch backup's temporary manifest.
 */
function checkMirrorNames(tables: readonly string[], manifest: Manifest, reportSchema: string): void {
  const mirrors = manifest.tables.filter((t) => t.kind === 'mirror').map((t) => t.name);
  const unknown = tables.filter((n) => !mirrors.includes(n));
  if (unknown.length)
    throw new UsageError(`--tables: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a mirror' : 'are not mirrors'} in ${reportSchema}`, {
      hint: `its mirrors: ${mirrors.join(', ')}`,
    });
}
