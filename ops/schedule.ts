/**
 * The long-running scheduler: node-cron fires jobs, `noOverlap` keeps a job from overlapping
 * itself in this process, and the jobs' own GET_LOCK keeps runs apart across processes. A busy
 * lock is skipped or waited for, as configured. On stop, the current run is told to abort; a
 * sync only aborts between steps and never publishes partial report tables.
 */
import cron from 'node-cron';
import { LockBusyError, UsageError } from '../src/errors.js';
import { type Logger, silentLogger } from '../src/log/logger.js';

/** A job the scheduler fires on its cron expression. */
export interface ScheduledJob {
  name: string;
  cron: string;
  run(signal: AbortSignal, waitForLockSeconds: number): Promise<unknown>;
}

/** A running scheduler. */
export interface SchedulerHandle {
  /** Stops firing, aborts the current run and waits for it to end. */
  stop(): Promise<void>;
  /** Resolves when all runs started so far have ended. */
  idle(): Promise<void>;
  readonly stats: { runs: number; failures: number; skipped: number };
}

/** Refuses bad cron expressions with the job name in the message. */
export function validateJobs(jobs: readonly { name: string; cron: string }[]): void {
  if (jobs.length === 0) {
    throw new UsageError('nothing to schedule: no cron expression in the config', {
      hint: 'set schedule.sync (e.g. "*/15 * * * *") in dualpipe.config.json, or pass --sync-cron',
    });
  }
  for (const j of jobs) {
    if (!cron.validate(j.cron)) {
      throw new UsageError(`invalid cron expression for ${j.name}: "${j.cron}"`, {
        hint: 'use five or six fields, e.g. "*/15 * * * *" (every 15 minutes)',
      });
    }
  }
}

/** Starts firing the jobs; a busy lock is skipped or waited for (`onBusy`). */
export function startScheduler(
  jobs: readonly ScheduledJob[],
  options: { logger?: Logger; onBusy?: 'skip' | 'wait'; timezone?: string; waitSeconds?: number } = {},
): SchedulerHandle {
  validateJobs(jobs);
  const log = options.logger ?? silentLogger;
  const controller = new AbortController();
  const running = new Set<Promise<void>>();
  const stats = { runs: 0, failures: 0, skipped: 0 };
  const wait = options.onBusy === 'wait' ? (options.waitSeconds ?? 3600) : 0;
  const tasks = jobs.map((job) =>
    cron.schedule(
      job.cron,
      () => {
        if (controller.signal.aborted) return;
        const p = (async () => {
          const t0 = Date.now();
          log.info({ job: job.name }, `scheduled ${job.name} starting`);
          try {
            await job.run(controller.signal, wait);
            stats.runs++;
            log.info({ job: job.name, seconds: (Date.now() - t0) / 1000 }, `scheduled ${job.name} finished`);
          } catch (error) {
            if (error instanceof LockBusyError) {
              stats.skipped++;
              log.warn({ job: job.name }, `scheduled ${job.name} skipped: another run holds the lock`);
            } else {
              stats.failures++;
              log.error({ job: job.name, err: (error as Error).message }, `scheduled ${job.name} failed`);
            }
          }
        })();
        running.add(p);
        void p.finally(() => running.delete(p));
        return p;
      },
      { name: job.name, noOverlap: true, ...(options.timezone ? { timezone: options.timezone } : {}) },
    ),
  );
  return {
    stats,
    idle: async () => {
      await Promise.all([...running]);
    },
    async stop() {
      controller.abort();
      for (const t of tasks) await t.stop();
      await Promise.all([...running]);
      for (const t of tasks) await t.destroy();
    },
  };
}
