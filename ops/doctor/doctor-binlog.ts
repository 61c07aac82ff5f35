/**
 * `dualpipe doctor` under binlog capture: the source's binlog settings the capture reads with, its
 * retention, and the sync account's privileges (REPLICATION SLAVE to read the binlog; REPLICATION
 * CLIENT, MariaDB's BINLOG MONITOR, to read positions; on MySQL, SELECT on mysql.gtid_executed for
 * the snapshot's GTID set, capture-snapshot.ts). No TRIGGER and no SUPER are needed.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import type { ServerlessCheck } from './doctor-check.js';
import { globalVar } from '../../sync/capture/binlog/binlog-checks.js';

const SETTINGS_FIX = 'set in the source server\'s my.cnf: log_bin, binlog_format=ROW, binlog_row_image=FULL, server_id (non-zero); restart';

/** The binlog checks of the source (`conn`), for a pipeline whose capture method is binlog. */
export async function checkBinlogCapture(conn: SqlConnection): Promise<ServerlessCheck[]> {
  const checks: ServerlessCheck[] = [];
  const setting = (name: string, ok: boolean, detail: string, fix = SETTINGS_FIX) =>
    checks.push(ok ? { name, verdict: 'pass', detail } : { name, verdict: 'fail', detail, fix });
  const logBin = Number(await globalVar(conn, 'log_bin')) === 1;
  setting('binlog', logBin, logBin ? 'log_bin is ON' : 'the binary log is off: binlog capture has nothing to read');
  if (!logBin) return checks;
  const format = (await globalVar(conn, 'binlog_format')) ?? '';
  setting('binlog_format', format.toUpperCase() === 'ROW', `binlog_format is ${format}${format.toUpperCase() === 'ROW' ? '' : ': changes are not logged by row'}`);
  const image = ((await globalVar(conn, 'binlog_row_image')) ?? 'FULL').toUpperCase();
  setting('binlog_row_image', ['FULL', 'MINIMAL', 'NOBLOB', 'FULL_NODUP'].includes(image), `binlog_row_image is ${image}`);
  const serverId = Number(await globalVar(conn, 'server_id'));
  setting('server_id', serverId > 0, `server_id is ${serverId}`);
  const compression = (await globalVar(conn, 'binlog_transaction_compression')) ?? 'OFF';
  setting('binlog_transaction_compression', compression === '0' || compression.toUpperCase() === 'OFF', `binlog_transaction_compression is ${compression}`, 'SET PERSIST binlog_transaction_compression = OFF (compressed transactions cannot be decoded)');
  const mariadb = (await conn.query("SHOW STATUS LIKE 'binlog_snapshot_file'")).length > 0;
  if (!mariadb) {
    const gtid = (await globalVar(conn, 'gtid_mode')) ?? 'OFF';
    setting('gtid_mode', gtid === 'ON', `gtid_mode is ${gtid}${gtid === 'ON' ? '' : ': MySQL gives no exact binlog position for a snapshot without GTIDs'}`, 'set gtid_mode=ON and enforce_gtid_consistency=ON (stepwise on a running server: OFF_PERMISSIVE, ON_PERMISSIVE, ON)');
  }
  checks.push(await retention(conn));
  checks.push(await privileges(conn));
  return checks;
}

/** Warns when binlogs are never purged (the disk fills) or purged within a day (a paused schedule loses its position). */
async function retention(conn: SqlConnection): Promise<ServerlessCheck> {
  const seconds = Number((await globalVar(conn, 'binlog_expire_logs_seconds')) ?? 0);
  const days = Number((await globalVar(conn, 'expire_logs_days')) ?? 0);
  const kept = seconds > 0 ? seconds : days * 86_400;
  const name = 'binlog retention';
  if (kept === 0) return { name, verdict: 'warn', detail: 'binary logs are never purged automatically', fix: 'set binlog_expire_logs_seconds (e.g. 604800: a week) so the disk does not fill' };
  const hours = kept / 3600;
  if (hours < 24) {
    return { name, verdict: 'warn', detail: `binary logs are kept ${hours.toFixed(1)} h: a sync schedule paused longer than that loses its position and runs a full sync`, fix: 'keep binlogs longer than the longest pause between syncs (binlog_expire_logs_seconds)' };
  }
  return { name, verdict: 'pass', detail: `binary logs are kept ${(hours / 24).toFixed(1)} day(s); a sync paused longer than that runs a full sync` };
}

/** Whether the account may read mysql.gtid_executed (MySQL). */
async function readsGtidTable(conn: SqlConnection): Promise<boolean> {
  return conn.query('SELECT 1 FROM mysql.gtid_executed LIMIT 1').then(
    () => true,
    () => false,
  );
}

/** The connected account's binlog privileges. */
async function privileges(conn: SqlConnection): Promise<ServerlessCheck> {
  const grants = (await conn.query<Record<string, string>>('SHOW GRANTS')).map((r) => Object.values(r)[0] ?? '').join('\n').toUpperCase();
  const all = /GRANT ALL PRIVILEGES ON \*\.\*/.test(grants);
  const has = (p: string) => all || grants.includes(p);
  const mariadb = (await conn.query("SHOW STATUS LIKE 'binlog_snapshot_file'")).length > 0;
  const missing = [
    ...(has('REPLICATION SLAVE') ? [] : ['REPLICATION SLAVE']),
    ...(has('REPLICATION CLIENT') || has('BINLOG MONITOR') || has('SUPER') ? [] : [mariadb ? 'BINLOG MONITOR' : 'REPLICATION CLIENT']),
    ...(mariadb || (await readsGtidTable(conn)) ? [] : ['SELECT ON mysql.gtid_executed']),
  ];
  const name = 'binlog capture privileges';
  if (missing.length === 0) return { name, verdict: 'pass', detail: 'the account may read the binlog and its positions' };
  return { name, verdict: 'fail', detail: `the account lacks ${missing.join(', ')}`, fix: `GRANT ${missing.join(', ')} TO the sync account (\`dualpipe grants\` does not add them yet)` };
}
