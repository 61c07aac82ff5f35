import type { Command } from 'commander';
import { DualpipeError } from '../../errors.js';
import { checkServer, type DoctorCheck } from '../../ops/doctor.js';
import type { GetContext } from '../run-cli.js';

/** `dualpipe doctor`: pass, warn or fail for each thing the pipeline needs, with the fix. */
export function registerDoctorCommand(program: Command, ctx: GetContext): void {
  program
    .command('doctor')
    .description('check the servers and the account: version, engines, local_infile, binlog, MyISAM recovery, locks, TLS')
    .addHelpText('after', '\nExit codes: 0 nothing failed (warnings allowed), 1 a check failed.')
    .action(async () => {
      const c = ctx();
      const cfg = c.config;
      const checks: DoctorCheck[] = [];
      const src = await c.source().connect({ database: null });
      try {
        checks.push(...(await checkServer(src, 'source', cfg.sameServer)));
      } finally {
        await src.close();
      }
      if (!cfg.sameServer) {
        const rep = await c.report().connect({ database: null });
        try {
          checks.push(...(await checkServer(rep, 'report', false)));
        } finally {
          await rep.close();
        }
      }
      c.print({ checks, ok: !checks.some((x) => x.verdict === 'fail') }, () =>
        checks
          .map((x) => `${x.verdict.toUpperCase().padEnd(4)}  ${x.server.padEnd(6)}  ${x.name.padEnd(24)} ${x.detail}${x.fix && x.verdict !== 'pass' ? ` — fix: ${x.fix}` : ''}`)
          .join('\n'),
      );
      const failed = checks.filter((x) => x.verdict === 'fail');
      if (failed.length) throw new DualpipeError(`doctor: ${failed.length} check(s) failed: ${failed.map((x) => x.name).join(', ')}`, { hint: 'apply the fixes above' });
    });
}
