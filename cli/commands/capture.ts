import type { Command } from 'commander';
import type { GetContext } from '../context.js';

/** `dualpipe capture install|remove|status`: the change-capture triggers of incremental syncs. */
export function registerCaptureCommands(program: Command, ctx: GetContext): void {
  const capture = program
    .command('capture')
    .description('change capture for `sync --incremental`: triggers that log changed primary keys');
  capture
    .command('install')
    .description('create the change log and the triggers on every source table (again: replaces them)')
    .action(async () => {
      const c = ctx();
      const { installChangeCapture } = await import('../../api/ops.js');
      const result = await installChangeCapture(c.pipeline);
      c.print(result, () =>
        [
          `change capture installed (#${result.captureId}) on ${result.captured.length} table(s)`,
          ...result.uncaptured.map((u) => `  ${u.table}: not captured (${u.why}): incremental syncs copy it whole`),
          'the next sync is a full one; incremental syncs follow it',
        ].join('\n'),
      );
    });
  capture
    .command('remove')
    .description('drop the triggers and the change log; incremental syncs fall back to full ones')
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
        result.installed
          ? [
              `change capture #${result.captureId}: ${result.captured.length} table(s) captured, ${result.pending} change(s) pending`,
              ...result.uncaptured.map((u) => `  ${u.table}: ${u.why}`),
            ].join('\n')
          : 'change capture is not installed: `dualpipe capture install`',
      );
    });
}
