import type { Command } from 'commander';
import type { IncrementalResult, SyncResult, SyncVerifyResult, VerifyTableResult } from '../../api/index.js';
import { UsageError } from '../../api/light.js';
import type { GetContext } from '../context.js';
import { parseList, parsePositiveInt } from '../parse-options.js';
import { addLimitFlags, applyLimitFlags, type LimitFlags } from '../limit-flags.js';
import { createProgress } from '../progress.js';
import { type SyncOverrides, syncOptions } from '../sync-options.js';
import { addThrottleFlags } from '../throttle-flags.js';
import { addReportFlags } from '../report-flags.js';

function parseStrategy(text: string): 'swap' | 'lock' {
  if (text !== 'swap' && text !== 'lock')
    throw new UsageError(`invalid --strategy "${text}"`, { hint: 'use swap or lock' });
  return text;
}

interface SyncFlags extends SyncOverrides, LimitFlags {
  dryRun?: boolean;
  incremental?: boolean;
  paranoid?: boolean;
  verify?: boolean;
}

function describeIncremental(r: IncrementalResult): string {
  const lines: string[] = [];
  for (const t of r.changes ?? []) {
    if (!t.whole && t.logKeys + t.cascadeKeys + t.journalKeys === 0) continue;
    lines.push(
      `${t.table.padEnd(28)} ${t.whole ? 'copied whole' : `${t.logKeys} logged, ${t.cascadeKeys} cascaded, ${t.journalKeys} re-applied keys`}  ` +
        `-${t.rowsDeleted} +${t.rowsWritten} rows${t.rowsFromLive ? ` (${t.rowsFromLive} from the live set)` : ''}`,
    );
  }
  for (const rep of r.reports) lines.push(`${rep.name.padEnd(28)} ${String(rep.rows).padStart(10)} rows  ${rep.seconds.toFixed(2)} s`);
  const c = r.cost!;
  lines.push(
    `incremental sync #${r.runId} finished in ${r.seconds.toFixed(2)} s: ${c.changeLogRows} change(s) logged, ${c.keysApplied} key(s) applied, ` +
      `${c.rowsMoved} row(s) moved, ${c.reportKeys} report row key(s) refreshed` +
      (c.reportKeysFromLive ? ` (${c.reportKeysFromLive} copied from the live set)` : '') +
      `, ${c.reportsRebuilt} report(s) rebuilt` +
      (c.primedShadow ? ' (shadow set copied first)' : '') +
      (c.chunksCompared ? `; ${c.chunksCompared} chunk(s) compared, ${c.chunksRewritten} rewritten` : ''),
  );
  if (r.throttle?.pauses) lines.push(`throttled: ${r.throttle.pauses} pause(s), ${r.throttle.pauseSeconds} s`);
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
  if (r.throttle?.pauses) lines.push(`throttled: ${r.throttle.pauses} pause(s), ${r.throttle.pauseSeconds} s`);
  const reason = 'fullSyncReason' in r ? r.fullSyncReason : undefined;
  if (reason) lines.push(`(incremental requested; full sync because ${reason})`);
  return lines.join('\n');
}

/** A compared table's verdict: ok, its differing chunks, or (with capture) its pending and drifted keys. */
function describeDiffering(t: VerifyTableResult): string {
  if (!t.chunksDiffering) return 'ok';
  if (t.driftKeys === undefined) return `${t.chunksDiffering} DIFFER`;
  const pending = t.pendingKeys ? `${t.pendingKeys} pending` : '';
  const drift = t.driftKeys ? `${t.driftKeys} DRIFT (${(t.driftSample ?? []).join(' ')})` : '';
  return [drift, pending].filter(Boolean).join(', ') || 'ok';
}

/** `dualpipe sync` and `dualpipe verify`. */
export function registerSyncCommands(program: Command, ctx: GetContext): void {
  const sync = program.command('sync');
  addThrottleFlags(sync, 'source');
  addReportFlags(sync);
  sync
    .description('rebuild the MyISAM mirrors and report tables from one consistent snapshot of the source')
    .addHelpText('after', '\nExit codes: 0 ok, 1 failure, 2 usage, 4 another run holds the lock, 5 a change-log row dualpipe did not write.')
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
    .option('--verify', 'full sync, then verify the mirrors against the snapshot it copied (a writer cannot cause false drift); exit 3 on drift')
    .option(
      '--wait-lock <seconds>',
      'wait this long for another run instead of exiting 4',
      parsePositiveInt('--wait-lock', 86_400),
    );
  addLimitFlags(sync).action(async (flags: SyncFlags) => {
      const c = ctx();
      applyLimitFlags(c, flags.incremental ? 'incremental' : 'sync', flags);
      const progress = createProgress(c.io, c.logger);
      if (flags.incremental && (flags.strategy === 'lock' || flags.tables)) {
        throw new UsageError('--incremental covers every table with the swap strategy', { hint: 'drop --strategy lock / --tables' });
      }
      try {
        const { driftedTables, requireNoDrift, runIncrementalSync, runSync, runSyncAndVerify } = await import('../../api/sync.js');
        const options = {
          ...syncOptions(c, flags),
          dryRun: flags.dryRun === true,
          onProgress: (e: { item: string; done: number; total: number }) => progress.update(e.item, e.done, e.total, 'tables'),
        };
        if (flags.paranoid && !flags.incremental) throw new UsageError('--paranoid goes with --incremental', { hint: 'a full sync always checks every chunk' });
        if (flags.verify && flags.incremental) throw new UsageError('--verify goes with a full sync', { hint: 'with change capture, run `dualpipe verify` after the incremental sync' });
        const result = flags.incremental
          ? await runIncrementalSync({ ...options, paranoid: flags.paranoid === true })
          : flags.verify ? await runSyncAndVerify(options) : await runSync(options);
        progress.stop();
        const verified = (result as SyncVerifyResult).verify;
        c.print(result, () => describeSync(result) + (verified ? `\nverify in the sync's snapshot: ${verified.ok ? 'mirrors match the snapshot' : `DRIFT in ${driftedTables(verified).join(', ')}`}` : ''));
        if (verified) requireNoDrift(verified);
      } finally {
        progress.stop();
      }
    });

  const verify = program
    .command('verify')
    .description('compare every source table with its mirror by chunk checksums; exit 3 on drift')
    .option('--tables <list>', 'comma-separated source tables', parseList)
    .option('--exclude <list>', 'comma-separated source tables (or * patterns) to leave out (default: sync.exclude)', parseList)
    .option('--wait-lock <seconds>', 'wait this long for a running sync or backup (default 30), then exit 4', parsePositiveInt('--wait-lock', 86_400));
  addLimitFlags(verify).action(async (flags: { tables?: string[]; exclude?: string[]; waitLock?: number } & LimitFlags) => {
      const c = ctx();
      applyLimitFlags(c, 'verify', flags);
      const cfg = c.config;
      const { requireNoDrift, verifyMirrors } = await import('../../api/sync.js');
      const result = await verifyMirrors({
        pipeline: c.pipeline,
        include: flags.tables ?? cfg.sync.include,
        exclude: flags.exclude ?? cfg.sync.exclude,
        chunkRows: cfg.sync.chunkRows,
        ...(flags.waitLock !== undefined ? { waitForLockSeconds: flags.waitLock } : {}),
        logger: c.logger,
      });
      c.print(result, () =>
        [
          ...result.tables.map(
            (t) =>
              `${t.table.padEnd(28)} ${String(t.sourceRows).padStart(10)} rows  ${String(t.chunksChecked).padStart(5)} chunks  ` +
              `${t.problem ? t.problem.toUpperCase().split(':')[0]! : t.missingMirror ? 'MIRROR MISSING' : describeDiffering(t)}`,
          ),
          ...(result.pendingKeys ? [`${result.pendingKeys} key(s) pending: changed since the last sync; the next incremental sync applies them`] : []),
          result.ok ? 'mirrors match the source' : 'drift found',
        ].join('\n'),
      );
      requireNoDrift(result);
    });
}
