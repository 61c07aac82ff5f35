import type { Command } from 'commander';
import { DualpipeError } from '../../api/light.js';
import type { GetContext } from '../context.js';
import { addReportFlags, type ReportFlags, reportSetOf } from '../report-flags.js';

/** `dualpipe check [--repair]`: find (and fix) corrupt MyISAM tables. */
export function registerCheckCommand(program: Command, ctx: GetContext): void {
  const cmd = program
    .command('check')
    .description('CHECK TABLE every MyISAM mirror and report; --repair repairs them, or rebuilds from InnoDB')
    .option('--repair', 'REPAIR TABLE what is corrupt; rebuild from InnoDB when that fails or loses rows; verify')
    .addHelpText('after', '\nExit codes: 0 all tables healthy (or repaired and verified), 1 corrupt tables remain.');
  addReportFlags(cmd).action(async (flags: { repair?: boolean } & ReportFlags) => {
      const c = ctx();
      const cfg = c.config;
      const { checkTables } = await import('../../api/ops.js');
      const results = await checkTables({
        pipeline: c.pipeline,
        repair: flags.repair === true,
        logger: c.logger,
        sync: { threads: cfg.sync.threads, chunkRows: cfg.sync.chunkRows, reportSet: reportSetOf(c, flags) },
      });
      c.print({ tables: results }, () =>
        results
          .map(
            (r) =>
              `${r.table.padEnd(30)} ${r.health.padEnd(8)}${r.repair && r.repair !== 'not-needed' ? ` ${r.repair}` : ''}` +
              `${r.verified === true ? ', equals the source' : r.verified === false ? ', DIFFERS from the source' : ''}` +
              `${r.health === 'corrupt' ? `  (${r.messages.slice(-1)[0] ?? ''})` : ''}`,
          )
          .join('\n'),
      );
      const bad = results.filter((r) => r.health !== 'ok' || r.verified === false);
      if (bad.length) {
        throw new DualpipeError(`${bad.length} corrupt table(s): ${bad.map((r) => r.table).join(', ')}`, {
          hint: flags.repair ? 'see the messages above; `dualpipe sync` rebuilds every mirror' : 'run `dualpipe check --repair`',
        });
      }
    });
}
