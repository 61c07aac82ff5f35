/**
 * A restore before it writes anything: the target name is checked, the located backup is planned
 * against what the target holds now (every misfit refused), and every chunk the plan reads is
 * verified against the manifest. `runRestore` locates the backup first; a merge prepares its
 * scratch restore with the backup it located itself, so a backup is located, verified and planned
 * once per run.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { DualpipeError, UsageError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/logger.js';
import { MANIFEST_FILE } from '../format/manifest.js';
import { type LocatedBackup, verifyChunks } from '../format/read-backup.js';
import { describeRestorePlan } from './describe-restore-plan.js';
import { inspectTarget, SYSTEM_SCHEMAS } from './inspect-target.js';
import { planRestore, type RestorePlan } from './plan-restore.js';
import type { RestoreOptions, RestoreResult } from './restore-types.js';

/** A restore planned and verified: what `executeRestore` runs, nothing written yet. */
export interface PreparedRestore {
  backup: LocatedBackup;
  plan: RestorePlan;
  /** Plans again from what the target holds now (under the lock: it may have changed since). */
  replan: () => Promise<RestorePlan>;
  /** The result fields known before anything runs. */
  base: Pick<RestoreResult, 'backupDir' | 'backupFinishedAt' | 'syncRunId' | 'target' | 'skipped' | 'notes'>;
}

/** Refuses a target a restore may not write: system schemas, over-long names, dualpipe's own schemas (unless `scratch`). */
export function checkRestoreTarget(o: Pick<RestoreOptions, 'target' | 'scratch'>): void {
  if (!o.target || o.target.length > 64 || SYSTEM_SCHEMAS.has(o.target.toLowerCase()) || (/__dp_(restore|previous|rollback|merge)$/.test(o.target) && !o.scratch))
    throw new UsageError(`cannot restore into schema "${o.target}"`, {
      hint: 'name a user schema of at most 64 characters (not a system schema or one of dualpipe\'s own)',
    });
}

/** Plans the restore of `backup` into `o.target` (read on `admin`), then verifies every chunk it will load. */
export async function prepareRestore(admin: SqlConnection, o: RestoreOptions, backup: LocatedBackup): Promise<PreparedRestore> {
  const log = o.logger ?? silentLogger;
  const threads = Math.max(1, o.threads ?? 2);
  const m = backup.manifest;
  const mirrors = m.tables.filter((t) => t.kind === 'mirror' && (!o.tables || o.tables.includes(t.name)));
  const replan = async () =>
    planRestore({
      manifest: m,
      backupDir: backup.dir,
      target: o.target,
      targetState: await inspectTarget(admin, o.target, mirrors.map((t) => t.name)),
      indexes: o.indexes ?? 'after-load',
      manifestFile: `${backup.dir}/${MANIFEST_FILE}`,
      ...(o.tables ? { only: o.tables } : {}),
    });
  const plan = await replan();
  await verifyChunks(backup.dir, mirrors, {
    threads: Math.max(threads, 2),
    onProgress: (done, total) => o.onProgress?.({ item: 'checking chunks', done, total, unit: 'bytes' }),
  });
  log.info({ dir: backup.dir, tables: plan.totals.tables, rows: plan.totals.rows, replaces: plan.replaced.length }, 'restore validated');
  const base = {
    backupDir: backup.dir,
    backupFinishedAt: m.finishedAt,
    syncRunId: m.sync.runId,
    target: o.target,
    skipped: plan.skipped,
    notes: [
      ...backup.notes,
      ...(plan.liveParents.length && plan.replaced.length
        ? [
            `the replaced tables kept in ${plan.schemas.previous} still reference the live ${plan.liveParents.join(', ')}: ` +
              'until `--drop-previous`, deleting a row they reference with RESTRICT fails and cascades reach them',
          ]
        : []),
    ],
  };
  return { backup, plan, replan, base };
}

/** `--dry-run`: the prepared plan as text, nothing run. */
export function dryRunResult(p: PreparedRestore): RestoreResult {
  return {
    ...p.base,
    dryRun: true,
    previous: null,
    tables: [],
    replaced: p.plan.replaced,
    foreignKeysChecked: 0,
    rows: 0,
    bytes: 0,
    seconds: 0,
    rowsPerSecond: 0,
    cleanedUp: [],
    planText: describeRestorePlan(p.plan),
  };
}

/** Chunks load with LOAD DATA LOCAL INFILE: refused up front when the server does not allow it. */
export async function checkLocalInfile(admin: SqlConnection): Promise<void> {
  const infile = await admin.query<{ v: number | string }>('SELECT @@GLOBAL.local_infile AS v');
  if (Number(infile[0]?.v) !== 1)
    throw new DualpipeError('the server refuses LOAD DATA LOCAL INFILE (local_infile=OFF)', {
      hint: 'enable it with `SET GLOBAL local_infile=1`, or start the server with --local-infile=1',
    });
}
