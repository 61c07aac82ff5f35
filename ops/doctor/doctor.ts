/**
 * `dualpipe doctor`: checks what the pipeline needs from the servers and the account, and says
 * how to fix each problem. Each check is a small function over one session; the verdicts are
 * pass, warn (works, but something a DBA wants is missing) or fail (the pipeline will not work).
 */
import type { SqlConnection, TlsSettings } from '../../src/db/connection.js';
import { parseServerVersion } from '../../src/db/server-info.js';
import type { DoctorCheck, ServerlessCheck } from './doctor-check.js';
import { checkKeylessTables } from './doctor-keyless.js';
import { checkTls } from './doctor-tls.js';

async function variable(conn: SqlConnection, name: string): Promise<string | null> {
  const rows = await conn.query<{ Value: string }>('SHOW VARIABLES LIKE ?', [name]);
  return rows[0]?.Value ?? null;
}

/** Runs every check on one session; `tls` is what the session was opened with (for the TLS line). */
export async function checkServer(
  conn: SqlConnection,
  role: 'source' | 'report',
  sameServer: boolean,
  tls?: TlsSettings,
): Promise<DoctorCheck[]> {
  const out: ServerlessCheck[] = [];
  const v = parseServerVersion(String((await conn.query<{ v: string }>('SELECT VERSION() AS v'))[0]?.v ?? ''));
  const supported = v.flavor === 'mariadb' ? v.major > 10 || (v.major === 10 && v.minor >= 6) : v.major >= 8;
  out.push({
    name: 'version',
    verdict: supported ? 'pass' : 'fail',
    detail: `${v.flavor} ${v.version}`,
    ...(supported ? {} : { fix: 'upgrade to MariaDB 10.6+ or MySQL 8.0+' }),
  });
  const engines = await conn.query<{ e: string; s: string }>('SELECT ENGINE AS e, SUPPORT AS s FROM information_schema.ENGINES');
  for (const engine of role === 'source' && !sameServer ? ['InnoDB'] : ['InnoDB', 'MyISAM']) {
    const s = engines.find((r) => r.e.toLowerCase() === engine.toLowerCase())?.s ?? 'NO';
    const ok = s === 'YES' || s === 'DEFAULT';
    out.push({
      name: `${engine} available`,
      verdict: ok ? 'pass' : 'fail',
      detail: `SUPPORT=${s}`,
      ...(ok ? {} : { fix: `enable the ${engine} storage engine` }),
    });
  }
  if (role === 'source') {
    const infile = await variable(conn, 'local_infile');
    out.push({
      name: 'local_infile',
      verdict: infile === 'ON' ? 'pass' : 'warn',
      detail: `local_infile=${infile}`,
      ...(infile === 'ON' ? {} : { fix: 'SET GLOBAL local_infile = 1 (needed by seed and restore)' }),
    });
    const logBin = await variable(conn, 'log_bin');
    const format = await variable(conn, 'binlog_format');
    if (logBin !== 'ON') {
      out.push({
        name: 'binary log',
        verdict: 'warn',
        detail: 'log_bin=OFF: no point-in-time recovery after a restore',
        fix: 'start the server with --log-bin and --binlog-format=ROW',
      });
    } else {
      const ok = format === 'ROW' || format === 'MIXED';
      out.push({
        name: 'binary log',
        verdict: ok ? 'pass' : 'fail',
        detail: `log_bin=ON, binlog_format=${format}`,
        ...(ok ? {} : { fix: 'SET GLOBAL binlog_format = ROW (READ COMMITTED copies cannot be logged as statements)' }),
      });
    }
  }
  if (role === 'report' || sameServer) {
    const recover = (await variable(conn, 'myisam_recover_options')) ?? 'OFF';
    const ok = /BACKUP|FORCE/i.test(recover);
    out.push({
      name: 'myisam_recover_options',
      verdict: ok ? 'pass' : 'warn',
      detail: recover,
      ...(ok ? {} : { fix: 'start the server with --myisam-recover-options=BACKUP,FORCE (crashed MyISAM tables are repaired on open)' }),
    });
    // MySQL with enforce_gtid_consistency refuses CREATE … SELECT of a MyISAM table and a transaction
    // writing both MyISAM and InnoDB, but not INSERT INTO myisam SELECT … FROM innodb on its own: dualpipe
    // writes mirrors and reports only in such statements (the whole suite runs on MySQL with GTIDs on).
    const gtid = await variable(conn, 'enforce_gtid_consistency');
    if (gtid && gtid !== 'OFF') {
      out.push({
        name: 'enforce_gtid_consistency',
        verdict: 'pass',
        detail: `enforce_gtid_consistency=${gtid}: MyISAM is written only in statements of its own, which it allows`,
      });
    }
  }
  const keyless = await checkKeylessTables(conn);
  if (keyless) out.push(keyless);
  const lock = await conn.query<{ g: number | null }>("SELECT GET_LOCK('dualpipe:doctor', 0) AS g");
  await conn.query("SELECT RELEASE_LOCK('dualpipe:doctor')");
  out.push({ name: 'GET_LOCK', verdict: Number(lock[0]?.g) === 1 ? 'pass' : 'warn', detail: 'named locks work' });
  out.push(await checkTls(conn, tls));
  return out.map((c) => ({ server: role, ...c }));
}
