import type { Command } from 'commander';
import { scheduleJobs, startScheduler } from '../../api/index.js';
import type { GetContext } from '../context.js';
import { collect, parsePositiveInt } from '../parse-options.js';

interface ScheduleFlags {
  syncCron?: string;
  incrementalCron?: string;
  verifyCron?: string;
  backupCron?: string;
  backupTo?: string;
  copyTo?: string[];
  keepLast?: number;
  keepDays?: number;
}

/** `dualpipe schedule`: the long-running scheduler, until SIGTERM or SIGINT. */
export function registerScheduleCommand(program: Command, ctx: GetContext): void {
  program
    .command('schedule')
    .description(
      'run syncs and verifies on cron expressions (config "schedule"); stops cleanly on SIGTERM/SIGINT',
    )
    .option('--sync-cron <expr>', 'cron expression for full syncs (overrides schedule.sync)')
    .option('--incremental-cron <expr>', 'cron expression for incremental syncs (overrides schedule.incremental)')
    .option('--verify-cron <expr>', 'cron expression for verify (overrides schedule.verify)')
    .option('--backup-cron <expr>', 'cron expression for backups (overrides schedule.backup)')
    .option('--backup-to <dir>', 'where scheduled backups go (overrides backup.to)')
    .option('--copy-to <dir>', 'a verified second copy of each scheduled backup (repeatable; overrides backup.copyTo)', collect)
    .option('--keep-last <n>', 'after each backup, prune to the newest N complete backups (backup.keepLast)', parsePositiveInt('--keep-last', 10_000))
    .option('--keep-days <d>', 'with --keep-last: also keep every backup younger than D days (backup.keepDays)', parsePositiveInt('--keep-days', 100_000))
    .action(async (flags: ScheduleFlags) => {
      const c = ctx();
      const cfg = c.config;
      const b = cfg.backup;
      const jobs = scheduleJobs({
        pipeline: c.pipeline,
        crons: {
          sync: flags.syncCron ?? cfg.schedule.sync,
          incremental: flags.incrementalCron ?? cfg.schedule.incremental,
          verify: flags.verifyCron ?? cfg.schedule.verify,
          backup: flags.backupCron ?? cfg.schedule.backup,
        },
        sync: cfg.sync,
        throttle: cfg.throttle,
        backup: {
          ...b,
          to: flags.backupTo ?? b.to,
          copyTo: flags.copyTo ?? b.copyTo ?? [],
          keepLast: flags.keepLast ?? b.keepLast,
          keepDays: flags.keepDays ?? b.keepDays,
        },
        logger: c.logger,
      });
      const handle = startScheduler(jobs, {
        logger: c.logger,
        onBusy: cfg.schedule.onBusy ?? 'skip',
        ...(cfg.schedule.timezone ? { timezone: cfg.schedule.timezone } : {}),
      });
      c.logger.info({ jobs: jobs.map((j) => `${j.name}: ${j.cron}`) }, 'scheduler started');
      await new Promise<void>((resolve, reject) => {
        const stop = (sig: string) => {
          c.logger.info({ signal: sig }, 'stopping: finishing or abandoning the current run safely');
          // A signal handler cannot await: the awaited promise around it carries the outcome, failure included.
          void handle.stop().then(resolve, reject);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
      c.print(
        handle.stats,
        () =>
          `scheduler stopped: ${handle.stats.runs} runs, ${handle.stats.failures} failures, ${handle.stats.skipped} skipped`,
      );
    });
}
