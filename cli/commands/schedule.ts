import type { Command } from 'commander';
import type { ServedMetrics } from '../../api/index.js';
import { parseDuration, UsageError } from '../../api/light.js';
import type { GetContext } from '../context.js';
import { addLimitFlags, type LimitFlags } from '../limit-flags.js';
import { collect, parsePositiveInt } from '../parse-options.js';
import { addReportFlags, type ReportFlags, reportSetOf } from '../report-flags.js';

interface ScheduleFlags extends LimitFlags, ReportFlags {
  syncCron?: string;
  incrementalCron?: string;
  incrementalEvery?: number;
  verifyCron?: string;
  backupCron?: string;
  archiveCron?: string;
  backupTo?: string;
  copyTo?: string[];
  keepLast?: number;
  keepDays?: number;
  metricsListen?: string;
}

/** `--incremental-every`: a duration of at least a second, in seconds. */
function parseEvery(text: string): number {
  const seconds = parseDuration(text);
  if (seconds === undefined || seconds < 1)
    throw new UsageError(`invalid --incremental-every "${text}"`, { hint: 'give a duration of at least 1s, e.g. 5s or 1m' });
  return seconds;
}

/** `dualpipe schedule`: the long-running scheduler, until SIGTERM or SIGINT. */
export function registerScheduleCommand(program: Command, ctx: GetContext): void {
  const cmd = program
    .command('schedule')
    .description(
      'run syncs and verifies on cron expressions (config "schedule"); stops cleanly on SIGTERM/SIGINT',
    )
    .option('--sync-cron <expr>', 'cron expression for full syncs (overrides schedule.sync)')
    .option('--incremental-cron <expr>', 'cron expression for incremental syncs (overrides schedule.incremental)')
    .option(
      '--incremental-every <duration>',
      'continuous mode: every DURATION (e.g. 5s; at least 1s), an incremental sync if anything changed since the published set (instead of --incremental-cron)',
      parseEvery,
    )
    .option('--verify-cron <expr>', 'cron expression for verify (overrides schedule.verify)')
    .option('--backup-cron <expr>', 'cron expression for backups (overrides schedule.backup)')
    .option('--archive-cron <expr>', 'cron expression for archive runs of the config file\'s rule, archive.where (overrides schedule.archive)')
    .option('--backup-to <dir>', 'where scheduled backups go (overrides backup.to)')
    .option('--copy-to <dir>', 'a verified second copy of each scheduled backup (repeatable; overrides backup.copyTo)', collect)
    .option('--keep-last <n>', 'after each backup, prune to the newest N complete backups (backup.keepLast)', parsePositiveInt('--keep-last', 10_000))
    .option('--keep-days <d>', 'with --keep-last: also keep every backup younger than D days (backup.keepDays)', parsePositiveInt('--keep-days', 100_000))
    .option('--metrics-listen <host:port>', 'serve Prometheus metrics and /healthz here, e.g. 127.0.0.1:9464 (schedule.metricsListen)');
  addReportFlags(cmd);
  addLimitFlags(cmd).action(async (flags: ScheduleFlags) => {
      const c = ctx();
      if (flags.incrementalEvery !== undefined && flags.incrementalCron !== undefined)
        throw new UsageError('--incremental-every and --incremental-cron both schedule the incremental sync', { hint: 'give one of them' });
      const { parseListenAddress, resolveRunLimits, scheduleJobs, serveSchedulerMetrics, startScheduler, validateJobs } = await import('../../api/schedule.js');
      // Each job run gets a watchdog of its own (ops/watched-pipeline.ts): a stall stops that run only.
      const limits = resolveRunLimits({ flags, env: c.io.env, file: c.file.limits });
      const cfg = c.config;
      const b = cfg.backup;
      const jobs = scheduleJobs({
        pipeline: c.pipeline,
        crons: {
          sync: flags.syncCron ?? cfg.schedule.sync,
          incremental: flags.incrementalEvery !== undefined ? `@every ${flags.incrementalEvery}s` : (flags.incrementalCron ?? cfg.schedule.incremental),
          verify: flags.verifyCron ?? cfg.schedule.verify,
          backup: flags.backupCron ?? cfg.schedule.backup,
          archive: flags.archiveCron ?? cfg.schedule.archive,
        },
        archive: cfg.archive,
        sync: cfg.sync,
        throttle: cfg.throttle,
        reportSet: reportSetOf(c, flags),
        backup: {
          ...b,
          to: flags.backupTo ?? b.to,
          copyTo: flags.copyTo ?? b.copyTo ?? [],
          keepLast: flags.keepLast ?? b.keepLast,
          keepDays: flags.keepDays ?? b.keepDays,
        },
        logger: c.logger,
        watched: { config: c.config, limits },
      });
      const listenText = flags.metricsListen ?? cfg.schedule.metricsListen;
      const listen = listenText === undefined ? undefined : parseListenAddress(listenText, flags.metricsListen ? '--metrics-listen' : 'schedule.metricsListen');
      validateJobs(jobs);
      let alive = true;
      // Listening first: a taken port fails the command before any job runs.
      const served: ServedMetrics | undefined = listen
        ? await serveSchedulerMetrics({ pipeline: c.pipeline, listen, jobs: jobs.map((j) => j.name), alive: () => alive })
        : undefined;
      if (served) c.logger.info({ metrics: `http://${served.address.host}:${served.address.port}/metrics` }, 'serving metrics');
      const start = () =>
        startScheduler(jobs, {
          ...(served ? { onJobEnd: served.onJobEnd } : {}),
          logger: c.logger,
          onBusy: cfg.schedule.onBusy ?? 'skip',
          ...(cfg.schedule.timezone ? { timezone: cfg.schedule.timezone } : {}),
        });
      let handle: ReturnType<typeof startScheduler>;
      try {
        handle = start();
      } catch (error) {
        // A scheduler that never started leaves no listening socket behind (it would keep the process alive).
        await served?.close();
        throw error;
      }
      // The signal handlers are in place before "scheduler started" is logged: a supervisor (or a
      // test) that sends SIGTERM as soon as it reads that line must not kill the process outright.
      const stopped = new Promise<void>((resolve, reject) => {
        const stop = (sig: string) => {
          c.logger.info({ signal: sig }, 'stopping: finishing or abandoning the current run safely');
          // A signal handler cannot await: the awaited promise around it carries the outcome, failure included.
          alive = false;
          void handle
            .stop()
            .finally(() => served?.close())
            .then(resolve, reject);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
      c.logger.info({ jobs: jobs.map((j) => `${j.name}: ${j.cron}`) }, 'scheduler started');
      await stopped;
      c.print(
        handle.stats,
        () =>
          `scheduler stopped: ${handle.stats.runs} runs, ${handle.stats.failures} failures, ${handle.stats.skipped} skipped` +
          (handle.stats.idle ? `, ${handle.stats.idle} idle checks (nothing changed)` : ''),
      );
    });
}
