import type { Command } from 'commander';
import type { SqlConnector } from '../../src/db/connection.js';
import { DualpipeError, TlsError } from '../../src/errors.js';
import { checkServer, type DoctorCheck } from '../../ops/doctor/doctor.js';
import { tlsConnectFailure } from '../../ops/doctor/doctor-tls.js';
import { checkRoleAccounts } from '../../ops/doctor/doctor-roles.js';
import type { GetContext } from '../run-cli.js';

/** The checks of one server; a session refused for TLS becomes a failed TLS line, not an error. */
async function checkOne(connector: SqlConnector, role: 'source' | 'report', sameServer: boolean): Promise<DoctorCheck[]> {
  let conn;
  try {
    conn = await connector.connect({ database: null });
  } catch (error) {
    if (error instanceof TlsError) return [{ server: role, ...tlsConnectFailure(error) }];
    throw error;
  }
  try {
    return await checkServer(conn, role, sameServer, connector.target.ssl);
  } finally {
    await conn.close();
  }
}

/** `dualpipe doctor`: pass, warn or fail for each thing the pipeline needs, with the fix. */
export function registerDoctorCommand(program: Command, ctx: GetContext): void {
  program
    .command('doctor')
    .description('check the servers and the account: version, engines, local_infile, binlog, MyISAM recovery, locks, TLS')
    .addHelpText('after', '\nExit codes: 0 nothing failed (warnings allowed), 1 a check failed.')
    .action(async () => {
      const c = ctx();
      const cfg = c.config;
      const checks: DoctorCheck[] = await checkOne(c.source(), 'source', cfg.sameServer);
      if (!cfg.sameServer) checks.push(...(await checkOne(c.report(), 'report', false)));
      checks.push(...(await checkRoleAccounts({ pipeline: c.pipeline })));
      c.print({ checks, ok: !checks.some((x) => x.verdict === 'fail') }, () =>
        checks
          .map((x) => `${x.verdict.toUpperCase().padEnd(4)}  ${x.server.padEnd(6)}  ${x.name.padEnd(24)} ${x.detail}${x.fix && x.verdict !== 'pass' ? ` — fix: ${x.fix}` : ''}`)
          .join('\n'),
      );
      const failed = checks.filter((x) => x.verdict === 'fail');
      if (failed.length) throw new DualpipeError(`doctor: ${failed.length} check(s) failed: ${failed.map((x) => x.name).join(', ')}`, { hint: 'apply the fixes above' });
    });
}
