/**
 * The long-running scheduler: a cron timer (node-cron, or a fake in tests) fires jobs, a job never
 * overlaps itself in this process (a firing while its run goes on is skipped), and the jobs' own
 * GET_LOCK keeps runs apart across processes. A busy lock is skipped or waited for, as configured.
 * On stop, the current run is told to abort; a sync only aborts between steps and never publishes
 * partial report tables.
 */
import cron from 'node-cron';
import { LockBusyError, UsageError } from '../src/errors.js';
import { type Logger, silentLogger } from '../src/log/logger.js';

/** A started cron schedule of a `CronTimer`. */
export interface CronSchedule {
  /** Fires no more, and lets go of the schedule. */
  stop(): Promise<void>;
}

/** Calls `fire` at each time a cron expression names: node-cron (`nodeCronTimer`), or a fake in tests. */
export interface CronTimer {
  schedule(expression: string, fire: () => void, options: { name: string; timezone?: string }): CronSchedule;
}

/** `@every 5s`: a fixed interval instead of a cron expression (continuous mode). */
const EVERY = /^@every (\d+(?:\.\d+)?)s$/;

/** The interval of an `@every Ns` expression in ms, or undefined for a cron expression. */
export function everyMs(expression: string): number | undefined {
  const m = EVERY.exec(expression);
  return m ? Number(m[1]) * 1000 : undefined;
}

/** What a job's run returns when it found nothing to do: not counted or logged as a run. */
export const IDLE = Symbol('idle');

/**
 * The real timer: node-cron (five or six fields, seconds first when six; IANA time zones), or a
 * plain interval for `@every Ns`.
 */
export const nodeCronTimer: CronTimer = {
  schedule(expression, fire, options) {
    const every = everyMs(expression);
    if (every !== undefined) {
      const timer = setInterval(fire, every);
      return {
        stop() {
          clearInterval(timer);
          return Promise.resolve();
        },
      };
    }
    const task = cron.schedule(expression, fire, { name: options.name, ...(options.timezone ? { timezone: options.timezone } : {}) });
    return {
      async stop() {
        await task.stop();
        await task.destroy();
      },
    };
  },
};

/** A job of the scheduler: its name, its cron expression and what it runs. */
export interface ScheduledJob {
  name: string;
  /** A cron expression, or `@every Ns` (continuous mode). */
  cron: string;
  /** Resolves `IDLE` when there was nothing to do: logged at debug level, not counted as a run. */
  run(signal: AbortSignal, waitForLockSeconds: number): Promise<unknown>;
}

/** A running scheduler. */
export interface SchedulerHandle {
  /** Stops firing, aborts the current run and waits for it to end. */
  stop(): Promise<void>;
  /** Resolves when all runs started so far have ended. */
  idle(): Promise<void>;
  /** `idle`: firings of an `@every` job that found nothing to do. */
  readonly stats: { runs: number; failures: number; skipped: number; idle: number };
}

/** Refuses bad cron expressions with the job name in the message. */
export function validateJobs(jobs: readonly { name: string; cron: string }[]): void {
  if (jobs.length === 0) {
    throw new UsageError('nothing to schedule: no cron expression in the config', {
      hint: 'set schedule.sync (e.g. "*/15 * * * *") in dualpipe.config.json, or pass --sync-cron',
    });
  }
  for (const j of jobs) {
    const every = everyMs(j.cron);
    if (every !== undefined && every < 1000) throw new UsageError(`interval of ${j.name} too short: "${j.cron}"`, { hint: 'use 1s or more' });
    if (every === undefined && !cron.validate(j.cron)) {
      throw new UsageError(`invalid cron expression for ${j.name}: "${j.cron}"`, {
        hint: 'use five or six fields, e.g. "*/15 * * * *" (every 15 minutes)',
      });
    }
  }
}

/** Options of `startScheduler`. */
export interface SchedulerOptions {
  logger?: Logger;
  /** A job finding its lock taken is skipped (the default), or waits up to `waitSeconds` for it. */
  onBusy?: 'skip' | 'wait';
  timezone?: string;
  waitSeconds?: number;
  /** What fires the jobs; node-cron unless given (tests pass a fake). */
  timer?: CronTimer;
  /** Told of each run's end (metrics count them); a throwing callback changes nothing. */
  onJobEnd?: (end: JobEnd) => void;
}

/** How one scheduled run ended: `skipped` when another run held the lock. */
export interface JobEnd {
  job: string;
  outcome: 'succeeded' | 'failed' | 'skipped';
  /** When the run started and ended (ms since the epoch). */
  startedAt: number;
  endedAt: number;
  /** The failure's message (failed runs only). */
  error?: string;
}

/** Starts firing `jobs` on their cron expressions (refused first, by `validateJobs`, when one is bad). */
export function startScheduler(jobs: readonly ScheduledJob[], options: SchedulerOptions = {}): SchedulerHandle {
  validateJobs(jobs);
  const log = options.logger ?? silentLogger;
  const timer = options.timer ?? nodeCronTimer;
  const controller = new AbortController();
  const running = new Set<Promise<void>>();
  const stats = { runs: 0, failures: 0, skipped: 0, idle: 0 };
  const wait = options.onBusy === 'wait' ? (options.waitSeconds ?? 3600) : 0;
  const execute = async (job: ScheduledJob) => {
    const t0 = Date.now();
    const tell = (outcome: JobEnd['outcome'], error?: string) => {
      try {
        options.onJobEnd?.({ job: job.name, outcome, startedAt: t0, endedAt: Date.now(), ...(error === undefined ? {} : { error }) });
      } catch {
        // Telemetry never changes what the scheduler does.
      }
    };
    // A job on a short interval would fill the log with idle checks: its start is logged at debug level.
    const quiet = everyMs(job.cron) !== undefined;
    log[quiet ? 'debug' : 'info']({ job: job.name }, `scheduled ${job.name} starting`);
    try {
      if ((await job.run(controller.signal, wait)) === IDLE) {
        stats.idle++;
        log.debug({ job: job.name }, `scheduled ${job.name}: nothing to do`);
        return;
      }
      stats.runs++;
      log.info({ job: job.name, seconds: (Date.now() - t0) / 1000 }, `scheduled ${job.name} finished`);
      tell('succeeded');
    } catch (error) {
      if (error instanceof LockBusyError) {
        stats.skipped++;
        log.warn({ job: job.name }, `scheduled ${job.name} skipped: another run holds the lock`);
        tell('skipped');
      } else {
        stats.failures++;
        log.error({ job: job.name, err: (error as Error).message }, `scheduled ${job.name} failed`);
        tell('failed', (error as Error).message);
      }
    }
  };
  const schedules = jobs.map((job) => {
    let current: Promise<void> | undefined;
    return timer.schedule(
      job.cron,
      () => {
        if (controller.signal.aborted) return;
        if (current) {
          // No overlap with itself: the next firing after this run ends starts the next run.
          log.info({ job: job.name }, `scheduled ${job.name} still running: this firing skipped`);
          return;
        }
        // execute never rejects (it counts and logs every failure); stop() and idle() await it via `running`.
        const p = execute(job).finally(() => {
          current = undefined;
          running.delete(p);
        });
        current = p;
        running.add(p);
      },
      { name: job.name, ...(options.timezone ? { timezone: options.timezone } : {}) },
    );
  });
  return {
    stats,
    idle: async () => {
      await Promise.all([...running]);
    },
    async stop() {
      controller.abort();
      for (const s of schedules) await s.stop();
      await Promise.all([...running]);
    },
  };
}
