/**
 * The jobs `dualpipe schedule` runs, from their cron expressions: a backup (with pruning), an
 * incremental sync, a full sync and a verify (drift fails the run). Only the jobs with a cron
 * expression are made; `startScheduler` (schedule.ts) fires them.
 */
import type { ResolvedConfig, SyncSettings } from '../src/config/resolve-config.js';
import type { Logger } from '../src/log/logger.js';
import { hasLimits, type ThrottleLimits } from '../src/guard/throttle-limits.js';
import type { Pipeline } from '../src/pipeline.js';
import { runSync } from '../sync/full/run-sync.js';
import { runIncrementalSync } from '../sync/incremental/run-incremental.js';
import { verifyMirrors } from '../sync/verify/verify.js';
import { requireNoDrift } from './require-no-drift.js';
import type { ScheduledJob } from './schedule.js';
import { type ScheduledBackupSettings, scheduledBackupJob } from './scheduled-backup.js';

/** The cron expression of each job; a job without one is not scheduled. */
export type JobCrons = Pick<ResolvedConfig['schedule'], 'sync' | 'incremental' | 'verify' | 'backup'>;

/** What the scheduled jobs run with. */
export interface ScheduleJobsOptions {
  /** The source and report sides (see src/pipeline.ts). */
  pipeline: Pipeline;
  crons: JobCrons;
  /** The sync settings of the syncs and the verify (the config file's `sync` section). */
  sync: SyncSettings;
  /** Where backups go and their retention (needed with `crons.backup`). */
  backup?: ScheduledBackupSettings;
  /** The throttle of every job (the config file's `throttle` section). */
  throttle?: ThrottleLimits;
  logger: Logger;
}

/** The scheduled jobs, in the order backup, incremental, sync, verify. */
export function scheduleJobs(o: ScheduleJobsOptions): ScheduledJob[] {
  const throttle = o.throttle && hasLimits(o.throttle) ? { throttle: o.throttle } : {};
  const base = { pipeline: o.pipeline, ...o.sync, logger: o.logger, ...throttle };
  const jobs: ScheduledJob[] = [];
  if (o.crons.backup) jobs.push(scheduledBackupJob(o.pipeline, o.crons.backup, { ...o.backup, ...throttle }, o.logger));
  if (o.crons.incremental) {
    jobs.push({
      name: 'incremental',
      cron: o.crons.incremental,
      run: (signal, wait) => runIncrementalSync({ ...base, signal, waitForLockSeconds: wait }),
    });
  }
  if (o.crons.sync) {
    jobs.push({ name: 'sync', cron: o.crons.sync, run: (signal, wait) => runSync({ ...base, signal, waitForLockSeconds: wait }) });
  }
  if (o.crons.verify) {
    jobs.push({
      name: 'verify',
      cron: o.crons.verify,
      run: async (_signal, wait) => requireNoDrift(await verifyMirrors({ ...base, waitForLockSeconds: wait })),
    });
  }
  return jobs;
}
