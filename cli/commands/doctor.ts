import type { Command } from 'commander';
import { DualpipeError } from '../../api/light.js';
import type { GetContext } from '../context.js';

/** `dualpipe doctor`: pass, warn or fail for each thing the pipeline needs, with the fix. */
export function registerDoctorCommand(program: Command, ctx: GetContext): void {
  program
    .command('doctor')
    .description('check the servers and the account: version, engines, local_infile, binlog, MyISAM recovery, locks, TLS')
    .addHelpText('after', '\nExit codes: 0 nothing failed (warnings allowed), 1 a check failed.')
    .action(async () => {
      const c = ctx();
      const { runDoctor } = await import('../../api/ops.js');
      const result = await runDoctor(c.pipeline);
      const { checks } = result;
      c.print(result, () =>
        checks
          .map((x) => `${x.verdict.toUpperCase().padEnd(4)}  ${x.server.padEnd(6)}  ${x.name.padEnd(24)} ${x.detail}${x.fix && x.verdict !== 'pass' ? ` — fix: ${x.fix}` : ''}`)
          .join('\n'),
      );
      const failed = checks.filter((x) => x.verdict === 'fail');
      if (failed.length) throw new DualpipeError(`doctor: ${failed.length} check(s) failed: ${failed.map((x) => x.name).join(', ')}`, { hint: 'apply the fixes above' });
    });
}
