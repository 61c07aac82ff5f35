/**
 * The jobs `dualpipe schedule` runs, from their cron expressions: a backup (with pruning), an
 * archive (scheduled-archive.ts), an incremental sync, a full sync and a verify (drift fails the run). Only the jobs with a cron
 * expression are made; `startScheduler` (schedule.ts) fires them.
 */
import type { ResolvedConfig, SyncSettings } from '../src/config/resolve-config.js';
import type { Logger } from '../src/log/logger.js';
import type { RunLimits } from '../src/guard/run-limits.js';
import { hasLimits, type ThrottleLimits } from '../src/guard/throttle-limits.js';
import type { Pipeline, PipelineConfig } from '../src/pipeline.js';
import { runSync } from '../sync/full/run-sync.js';
import { runIncrementalSync } from '../sync/incremental/run-incremental.js';
import { verifyMirrors } from '../sync/verify/verify.js';
import { runSyncAndVerify } from '../sync/verify/sync-and-verify.js';
import { readCapture } from '../sync/capture/capture.js';
import { withSession } from '../src/db/with-session.js';
import { tellSyncMoved } from './data-moved.js';
import { requireNoDrift } from './require-no-drift.js';
import { DriftError, LockBusyError } from '../src/errors.js';
import { recordUnrecordedFailure } from '../src/history/record-run.js';
import { everyMs, IDLE, type ScheduledJob } from './schedule.js';
import { pendingChanges } from '../sync/incremental/pending-changes.js';
import type { ReportSetOptions } from '../sync/reports/report-set.js';
import { type RunIn, runWatched } from './watched-pipeline.js';
import { type ScheduledBackupSettings, scheduledBackupJob } from './scheduled-backup.js';
import { type ArchiveRule, scheduledArchiveJob } from './scheduled-archive.js';

/** The cron expression of each job; a job without one is not scheduled. */
export type JobCrons = Pick<ResolvedConfig['schedule'], 'sync' | 'incremental' | 'verify' | 'backup' | 'archive'>;

/** What the scheduled jobs run with. */
export interface ScheduleJobsOptions {
  /** The source and report sides (see src/pipeline.ts). */
  pipeline: Pipeline;
  crons: JobCrons;
  /** The sync settings of the syncs and the verify (the config file's `sync` section). */
  sync: SyncSettings;
  /** Where backups go and their retention (needed with `crons.backup`). */
  backup?: ScheduledBackupSettings;
  /** The archive rule (the config file's `archive` section): needed with `crons.archive`. */
  archive?: ArchiveRule | undefined;
  /** The throttle of every job (the config file's `throttle` section). */
  throttle?: ThrottleLimits;
  /** The reports the syncs build (`--reports-dir`, config `reports`); default: sync/reports/report-set.ts. */
  reportSet?: ReportSetOptions;
  logger: Logger;
  /**
   * Bounds for every job run (README "Timeouts and stalls"): each run gets a pipeline built from
   * `config` under a watchdog of its own, so a stall or an overlong run stops that run only.
   */
  watched?: { config: PipelineConfig; limits: RunLimits };
}

/** The scheduled jobs, in the order backup, archive, incremental, sync, verify. */
export function scheduleJobs(o: ScheduleJobsOptions): ScheduledJob[] {
  const throttle = o.throttle && hasLimits(o.throttle) ? { throttle: o.throttle } : {};
  const base = { pipeline: o.pipeline, ...o.sync, logger: o.logger, ...throttle, ...(o.reportSet ? { reportSet: o.reportSet } : {}) };
  const watched = o.watched;
  const run: RunIn = watched ? (kind, body) => runWatched(watched.config, watched.limits, kind, body) : (_kind, body) => body(o.pipeline);
  // A run that failed before writing its own history row (the server was down) is recorded here, so
  // status and the history show every scheduled failure; a busy lock is a skip, drift is recorded by verify.
  const runIn: RunIn = async (kind, body) => {
    const startedAt = new Date();
    try {
      return await run(kind, body);
    } catch (error) {
      if (!(error instanceof LockBusyError) && !(error instanceof DriftError)) {
        await recordUnrecordedFailure(o.pipeline, { ...historyKind(kind, o.sync.strategy), startedAt, error });
      }
      throw error;
    }
  };
  const jobs: ScheduledJob[] = [];
  if (o.crons.backup) jobs.push(scheduledBackupJob(o.pipeline, o.crons.backup, { ...o.backup, ...throttle }, o.logger, runIn));
  if (o.crons.archive) jobs.push(scheduledArchiveJob(o.pipeline, o.crons.archive, o.archive, { ...throttle, logger: o.logger, runIn }));
  if (o.crons.incremental) {
    // Continuous mode (`@every Ns`): each firing first asks whether anything changed (pending-changes.ts).
    const continuous = everyMs(o.crons.incremental) !== undefined;
    jobs.push({
      name: 'incremental',
      cron: o.crons.incremental,
      run: (signal, wait) =>
        runIn('incremental', async (pipeline) => {
          if (continuous) {
            const p = await pendingChanges(pipeline);
            if (!p.pending) return IDLE;
            o.logger.debug({ why: p.why }, 'continuous mode: changes to apply');
          }
          return tellSyncMoved('incremental', await runIncrementalSync({ ...base, pipeline, signal, waitForLockSeconds: wait }));
        }),
    });
  }
  if (o.crons.sync) {
    jobs.push({
      name: 'sync',
      cron: o.crons.sync,
      run: (signal, wait) => runIn('sync', async (pipeline) => tellSyncMoved('sync', await runSync({ ...base, pipeline, signal, waitForLockSeconds: wait }))),
    });
  }
  if (o.crons.verify) {
    jobs.push({
      name: 'verify',
      cron: o.crons.verify,
      run: (signal, wait) => runIn('verify', (pipeline) => scheduledVerify({ ...base, pipeline, signal, waitForLockSeconds: wait })),
    });
  }
  return jobs;
}

/**
 * The scheduled verify. With change capture: `verify`, which tells drift from changes pending
 * since the last sync. Without it, a verify against the live source cannot tell a writer's changes
 * from drift (every run beside a writer reported drift, issue #13), so the job runs `sync
 * --verify` instead: a full sync whose mirrors are compared with the snapshot it copied. Whether
 * capture is installed is read at every run: installing it switches the job over.
 */
export async function scheduledVerify(o: Parameters<typeof runSyncAndVerify>[0] & { logger: Logger }): Promise<void> {
  const capture = await withSession(o.pipeline.source, (c) => readCapture(c, o.pipeline.sourceSchema));
  if (capture.installed) {
    requireNoDrift(await verifyMirrors(o));
    return;
  }
  o.logger.warn(
    { schema: o.pipeline.sourceSchema },
    'scheduled verify: no change capture, so a verify against the live source would report every write since the last sync as drift; running `sync --verify` (a full sync verified in its own snapshot) instead',
  );
  const r = await runSyncAndVerify(o);
  if (r.verify) requireNoDrift(r.verify);
}

/** The history kind (and strategy) of a scheduled job's runs. */
function historyKind(job: string, strategy: string): { kind: string; strategy?: string } {
  if (job === 'incremental') return { kind: 'sync', strategy: 'incremental' };
  if (job === 'sync') return { kind: 'sync', strategy };
  return { kind: job };
}
