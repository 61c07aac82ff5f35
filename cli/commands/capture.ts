import type { Command } from 'commander';
import { parseCaptureMethod } from '../capture-method-flag.js';
import type { GetContext } from '../context.js';

/** What status prints of binlog capture's positions. */
function binlogLines(b: { resume: string | null; current: string | null } | undefined): string[] {
  if (!b) return [];
  return [
    `  resumes from: ${b.resume ?? 'no position recorded: the next sync is a full one'}`,
    `  binlog now:   ${b.current ?? 'unreadable (REPLICATION CLIENT / BINLOG MONITOR)'}`,
  ];
}

/** `dualpipe capture install|remove|status`: the change-capture triggers of incremental syncs. */
export function registerCaptureCommands(program: Command, ctx: GetContext): void {
  const capture = program
    .command('capture')
    .description('change capture for `sync --incremental`: triggers that log changed primary keys, or the source\'s binlog');
  capture
    .command('install')
    .description('triggers (default): create the change log and triggers on every source table (again: replaces them); binlog: check the binlog settings, read the binlog from then on, and drop any capture triggers')
    .option('--method <method>', 'triggers or binlog', parseCaptureMethod('--method'), 'triggers')
    .action(async (opts: { method: 'triggers' | 'binlog' }) => {
      const c = ctx();
      const { installChangeCapture } = await import('../../api/ops.js');
      const result = await installChangeCapture(c.pipeline, { method: opts.method });
      c.print(result, () =>
        result.method === 'binlog'
          ? [
              'binlog capture chosen: incremental syncs read the source\'s binlog (no triggers on the source)',
              ...binlogLines(result.binlog),
              result.binlog?.resume ? 'the next sync is incremental from there' : 'the next sync is a full one; incremental syncs follow it',
            ].join('\n')
          : [
              `change capture installed (#${result.captureId}) on ${result.captured.length} table(s)`,
              ...result.uncaptured.map((u) => `  ${u.table}: not captured (${u.why}): incremental syncs copy it whole`),
              'the next sync is a full one; incremental syncs follow it',
            ].join('\n'),
      );
    });
  capture
    .command('remove')
    .description('drop the triggers and the change log, and stop binlog capture; incremental syncs fall back to full ones')
    .action(async () => {
      const c = ctx();
      const { removeChangeCapture } = await import('../../api/ops.js');
      const result = await removeChangeCapture(c.pipeline);
      c.print(result, () => `change capture removed (${result.triggers} trigger(s) dropped)`);
    });
  capture
    .command('status')
    .description('is capture installed, on which tables, and how many changes wait for a sync')
    .action(async () => {
      const c = ctx();
      const { changeCaptureStatus } = await import('../../api/ops.js');
      const result = await changeCaptureStatus(c.pipeline);
      c.print(result, () =>
        result.method === 'binlog'
          ? ['binlog capture: incremental syncs read the source\'s binlog', ...binlogLines(result.binlog)].join('\n')
          : result.installed
          ? [
              `change capture #${result.captureId}: ${result.captured.length} table(s) captured, ${result.pending} change(s) pending`,
              ...result.uncaptured.map((u) => `  ${u.table}: ${u.why}`),
            ].join('\n')
          : 'change capture is not installed: `dualpipe capture install`',
      );
    });
}
