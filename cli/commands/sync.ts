import type { Command } from 'commander';
import { pruneBackups } from '../../backup/dump/inventory.js';
import { readBackupKey } from '../../backup/format/backup-key.js';
import { runBackup } from '../../backup/dump/run-backup.js';
import { type IncrementalResult, runIncrementalSync } from '../../sync/incremental/run-incremental.js';
import { runSync, type SyncResult } from '../../sync/full/run-sync.js';
import { type ScheduledJob, startScheduler } from '../../ops/schedule.js';
import { driftedTables, verifyMirrors } from '../../sync/verify/verify.js';
import { DriftError, UsageError } from '../../src/errors.js';
import type { CliContext } from '../context.js';
import { createProgress } from '../progress.js';
import type { GetContext } from '../run-cli.js';
import { parsePositiveInt } from './seed.js';

function parseStrategy(text: string): 'swap' | 'lock' {
  if (text !== 'swap' && text !== 'lock')
    throw new UsageError(`invalid --strategy "${text}"`, { hint: 'use swap or lock' });
  return text;
}

function parseList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

interface SyncFlags {
  strategy?: 'swap' | 'lock';
  threads?: number;
  tables?: string[];
  exclude?: string[];
  dryRun?: boolean;
  waitLock?: number;
  incremental?: boolean;
  paranoid?: boolean;
}

/** The library options for a sync from config and flags. */
function syncOptions(c: CliContext, flags: SyncFlags) {
  const cfg = c.config;
  return {
    pipeline: c.pipeline,
    strategy: flags.strategy ?? cfg.sync.strategy,
    threads: flags.threads ?? cfg.sync.threads,
    chunkRows: cfg.sync.chunkRows,
    include: flags.tables ?? cfg.sync.include,
    exclude: flags.exclude ?? cfg.sync.exclude,
    swapWaitMs: cfg.sync.swapWaitMs,
    waitForLockSeconds: flags.waitLock ?? 0,
    logger: c.logger,
  };
}

function describeIncremental(r: IncrementalResult): string {
  const lines: string[] = [];
  for (const t of r.changes ?? []) {
    if (!t.whole && t.logKeys + t.cascadeKeys + t.journalKeys === 0) continue;
    lines.push(
      `${t.table.padEnd(28)} ${t.whole ? 'copied whole' : `${t.logKeys} logged, ${t.cascadeKeys} cascaded, ${t.journalKeys} re-applied keys`}  ` +
        `-${t.rowsDeleted} +${t.rowsWritten} rows`,
    );
  }
  for (const rep of r.reports) lines.push(`${rep.name.padEnd(28)} ${String(rep.rows).padStart(10)} rows  ${rep.seconds.toFixed(2)} s`);
  const c = r.cost!;
  lines.push(
    `incremental sync #${r.runId} finished in ${r.seconds.toFixed(2)} s: ${c.changeLogRows} change(s) logged, ${c.keysApplied} key(s) applied, ` +
      `${c.rowsMoved} row(s) moved, ${c.reportKeys} report row key(s) refreshed, ${c.reportsRebuilt} report(s) rebuilt` +
      (c.primedShadow ? ' (shadow set copied first)' : '') +
      (c.chunksCompared ? `; ${c.chunksCompared} chunk(s) compared, ${c.chunksRewritten} rewritten` : ''),
  );
  for (const n of r.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}

function describeSync(r: SyncResult | IncrementalResult): string {
  if (r.dryRun) return r.planText ?? '';
  if (r.kind === 'incremental') return describeIncremental(r);
  const lines = r.tables.map(
    (t) =>
      `${t.table.padEnd(28)} ${String(t.rows).padStart(10)} rows  ${String(t.chunks).padStart(5)} chunks  ` +
      `${t.chunksRepaired} repaired (${t.rowsRepaired} rows)  ${t.seconds.toFixed(2)} s`,
  );
  for (const rep of r.reports)
    lines.push(`${rep.name.padEnd(28)} ${String(rep.rows).padStart(10)} rows  ${rep.seconds.toFixed(2)} s`);
  for (const s of r.skippedReports)
    lines.push(`${s.name} skipped: source table(s) ${s.missing.join(', ')} not synced`);
  lines.push(`sync #${r.runId} (${r.strategy}, ${r.mode}) finished in ${r.seconds.toFixed(2)} s`);
  const reason = 'fullSyncReason' in r ? r.fullSyncReason : undefined;
  if (reason) lines.push(`(incremental requested; full sync because ${reason})`);
  return lines.join('\n');
}

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

/** A scheduled backup: dump, write the copies, then prune every place to the retention. */
function backupJob(c: CliContext, cron: string, flags: ScheduleFlags): ScheduledJob {
  const b = c.config.backup;
  const to = flags.backupTo ?? b.to;
  if (!to) throw new UsageError('scheduled backups need a folder', { hint: 'pass --backup-to DIR or set backup.to in the config file' });
  const copyTo = flags.copyTo ?? b.copyTo ?? [];
  const keepLast = flags.keepLast ?? b.keepLast;
  const keepDays = flags.keepDays ?? b.keepDays;
  return {
    name: 'backup',
    cron,
    run: async (_signal, wait) => {
      // Read at each run: a rotated key file is picked up without restarting the scheduler.
      const key = b.encryptKeyFile ? await readBackupKey(b.encryptKeyFile, (message) => c.logger.warn(message)) : undefined;
      const r = await runBackup({
        ...(key ? { key } : {}),
        pipeline: c.pipeline,
        to,
        copyTo,
        compress: b.compress ?? 'gzip',
        threads: b.threads ?? 2,
        waitForLockSeconds: wait,
        logger: c.logger,
      });
      if (keepLast === undefined) {
        c.logger.warn('scheduled backup: no retention set (--keep-last / backup.keepLast): nothing is pruned');
        return;
      }
      for (const place of [to, ...copyTo]) {
        const pruned = await pruneBackups(place, { keepLast, ...(keepDays !== undefined ? { keepDays } : {}), now: new Date() });
        c.logger.info({ folder: place, removed: pruned.remove.map((x) => x.name), backup: r.dir }, 'scheduled backup: pruned');
      }
    },
  };
}

export function registerSyncCommands(program: Command, ctx: GetContext): void {
  program
    .command('sync')
    .description('rebuild the MyISAM mirrors and report tables from one consistent snapshot of the source')
    .addHelpText('after', '\nExit codes: 0 ok, 1 failure, 2 usage, 4 another run holds the lock.')
    .option(
      '--strategy <s>',
      'swap (build aside, one atomic RENAME) or lock (LOCK TABLES and refill)',
      parseStrategy,
    )
    .option('--threads <n>', 'tables copied in parallel', parsePositiveInt('--threads', 64))
    .option('--tables <list>', 'comma-separated source tables (default: all, or sync.include)', parseList)
    .option('--exclude <list>', 'comma-separated source tables (or * patterns) to leave out (default: sync.exclude)', parseList)
    .option('--dry-run', 'print the plan and the SQL it would run; change nothing')
    .option('--incremental', 'apply only what changed since the last sync (needs `dualpipe capture install`; else a full sync)')
    .option('--paranoid', 'with --incremental: also compare chunk checksums with the snapshot and rewrite what differs')
    .option(
      '--wait-lock <seconds>',
      'wait this long for another run instead of exiting 4',
      parsePositiveInt('--wait-lock', 86_400),
    )
    .action(async (flags: SyncFlags) => {
      const c = ctx();
      const progress = createProgress(c.io, c.logger);
      if (flags.incremental && (flags.strategy === 'lock' || flags.tables)) {
        throw new UsageError('--incremental covers every table with the swap strategy', { hint: 'drop --strategy lock / --tables' });
      }
      try {
        const options = {
          ...syncOptions(c, flags),
          dryRun: flags.dryRun === true,
          onProgress: (e: { item: string; done: number; total: number }) => progress.update(e.item, e.done, e.total, 'tables'),
        };
        if (flags.paranoid && !flags.incremental) throw new UsageError('--paranoid goes with --incremental', { hint: 'a full sync always checks every chunk' });
        const result = flags.incremental ? await runIncrementalSync({ ...options, paranoid: flags.paranoid === true }) : await runSync(options);
        progress.stop();
        c.print(result, () => describeSync(result));
      } finally {
        progress.stop();
      }
    });

  program
    .command('verify')
    .description('compare every source table with its mirror by chunk checksums; exit 3 on drift')
    .option('--tables <list>', 'comma-separated source tables', parseList)
    .option('--exclude <list>', 'comma-separated source tables (or * patterns) to leave out (default: sync.exclude)', parseList)
    .action(async (flags: { tables?: string[]; exclude?: string[] }) => {
      const c = ctx();
      const cfg = c.config;
      const result = await verifyMirrors({
        pipeline: c.pipeline,
        include: flags.tables ?? cfg.sync.include,
        exclude: flags.exclude ?? cfg.sync.exclude,
        chunkRows: cfg.sync.chunkRows,
        logger: c.logger,
      });
      c.print(result, () =>
        [
          ...result.tables.map(
            (t) =>
              `${t.table.padEnd(28)} ${String(t.sourceRows).padStart(10)} rows  ${String(t.chunksChecked).padStart(5)} chunks  ` +
              `${t.problem ? t.problem.toUpperCase().split(':')[0]! : t.missingMirror ? 'MIRROR MISSING' : t.chunksDiffering ? `${t.chunksDiffering} DIFFER` : 'ok'}`,
          ),
          result.ok ? 'mirrors match the source' : 'drift found',
        ].join('\n'),
      );
      if (!result.ok)
        throw new DriftError(driftedTables(result));
    });

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
    .option('--copy-to <dir>', 'a verified second copy of each scheduled backup (repeatable; overrides backup.copyTo)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--keep-last <n>', 'after each backup, prune to the newest N complete backups (backup.keepLast)', parsePositiveInt('--keep-last', 10_000))
    .option('--keep-days <d>', 'with --keep-last: also keep every backup younger than D days (backup.keepDays)', parsePositiveInt('--keep-days', 100_000))
    .action(async (flags: ScheduleFlags) => {
      const c = ctx();
      const cfg = c.config;
      const jobs: ScheduledJob[] = [];
      const syncCron = flags.syncCron ?? cfg.schedule.sync;
      const verifyCron = flags.verifyCron ?? cfg.schedule.verify;
      const incrementalCron = flags.incrementalCron ?? cfg.schedule.incremental;
      const backupCron = flags.backupCron ?? cfg.schedule.backup;
      if (backupCron) jobs.push(backupJob(c, backupCron, flags));
      if (incrementalCron) {
        jobs.push({
          name: 'incremental',
          cron: incrementalCron,
          run: (signal, wait) => runIncrementalSync({ ...syncOptions(c, {}), signal, waitForLockSeconds: wait }),
        });
      }
      if (syncCron) {
        jobs.push({
          name: 'sync',
          cron: syncCron,
          run: (signal, wait) => runSync({ ...syncOptions(c, {}), signal, waitForLockSeconds: wait }),
        });
      }
      if (verifyCron) {
        jobs.push({
          name: 'verify',
          cron: verifyCron,
          run: async (_signal, wait) => {
            const r = await verifyMirrors({ ...syncOptions(c, {}), waitForLockSeconds: wait });
            if (!r.ok)
              throw new DriftError(driftedTables(r));
          },
        });
      }
      const handle = startScheduler(jobs, {
        logger: c.logger,
        onBusy: cfg.schedule.onBusy ?? 'skip',
        ...(cfg.schedule.timezone ? { timezone: cfg.schedule.timezone } : {}),
      });
      c.logger.info({ jobs: jobs.map((j) => `${j.name}: ${j.cron}`) }, 'scheduler started');
      await new Promise<void>((resolve) => {
        const stop = (sig: string) => {
          c.logger.info({ signal: sig }, 'stopping: finishing or abandoning the current run safely');
          void handle.stop().then(resolve);
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
