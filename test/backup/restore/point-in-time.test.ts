/**
 * Point-in-time recovery, as the README tells a DBA to do it: restore the backup, then replay the
 * source's binary log from the position in the backup's manifest up to the chosen moment, for the
 * source schema only, with the server's own tool: mariadb-binlog on MariaDB; on MySQL (GTIDs on)
 * mysqlbinlog --skip-gtids --exclude-gtids=<the manifest's set>. Runs on its own server started
 * with the binlog on.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runBackup } from '../../../backup/dump/run-backup.js';
import { binlogReplayCommand } from '../../../backup/restore/binlog-replay.js';
import { runRestore } from '../../../backup/restore/run-restore.js';
import { migrate, seed } from '../../../schema/index.js';
import type { ConnectionTarget, SqlConnection } from '../../../src/db/connection.js';
import { createConnector } from '../../../src/db/mysql-driver.js';
import { createPipeline } from '../../../src/pipeline.js';
import { readBinlogStatus } from '../../../src/db/binlog-status.js';
import { readServerInfo } from '../../../src/db/server-info.js';
import { qualify } from '../../../src/db/quote.js';
import { startEmbeddedServer, stopEmbeddedServer } from '../../../src/server/embedded-server.js';
import { ownServerOptions } from '../../helpers/test-server-choice.js';
import { runGrants } from '../../../ops/grants/apply-grants.js';
import { installCapture } from '../../../sync/capture/capture.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { runForget } from '../../../ops/forget/run-forget.js';
import { readErasureKey } from '../../../src/erasure/erasure-key.js';
import { contactWithTree } from '../../helpers/erase-subject.js';
import { subjectCounts } from '../../helpers/crm-subject.js';

const dir = mkdtempSync(join(tmpdir(), 'dp-pitr-'));
let target: ConnectionTarget & { database: string; port: number };
let conn: SqlConnection;
let dataDir = '';
const SCHEMA = 'crm';

beforeAll(async () => {
  const server = await startEmbeddedServer({
    dir,
    ...ownServerOptions(['--log-bin=binlog', '--binlog-format=ROW', '--server-id=1']),
  });
  dataDir = server.dataDir;
  target = { host: '127.0.0.1', port: server.port, user: 'root', database: SCHEMA };
  await migrate(target);
  await seed(createConnector(target), { scale: 0.005, seed: 3 });
  conn = await createConnector(target).connect();
}, 180_000);

afterAll(async () => {
  await conn?.close();
  await stopEmbeddedServer({ dir });
  rmSync(dir, { recursive: true, force: true });
});

const q = (t: string) => qualify(SCHEMA, t);
const pitrPipeline = () => createPipeline({ source: target, report: { ...target, database: 'crm_report' }, sameServer: true });
async function binlogPosition(): Promise<{ file: string; position: number }> {
  const status = await readBinlogStatus(conn);
  return { file: status!.file, position: status!.position };
}

/** The server's own binlog reader and client: the fetched MySQL's beside its mysqld, MariaDB's on PATH. */
function replayTools(flavor: 'mariadb' | 'mysql'): { binlog: string; client: string } {
  if (flavor === 'mariadb') return { binlog: 'mariadb-binlog', client: 'mariadb' };
  const binary = inject('testServerBinary');
  const bin = binary ? dirname(binary) : '';
  return { binlog: bin ? join(bin, 'mysqlbinlog') : 'mysqlbinlog', client: bin ? join(bin, 'mysql') : 'mysql' };
}

describe('point-in-time recovery', () => {
  it('restore, then replay the binlog from the manifest position up to a chosen point: the later mistake is not replayed', async () => {
    const pipeline = pitrPipeline();
    await runSync({ pipeline });
    const backup = await runBackup({ pipeline, to: join(dir, 'backups') });
    const start = backup.manifest.binlog;
    expect(start, 'the manifest holds the binlog position of the sync snapshot').not.toBeNull();

    // Work done after the backup, which the recovery must bring back.
    const victim = (await conn.query<{ id: number }>(`SELECT MAX(id) AS id FROM ${q('contacts')}`))[0]!.id;
    await conn.execute(`INSERT INTO ${q('contacts')} (id, first_name, last_name, email) VALUES (900001, 'After', 'Backup', 'after@example.test')`);
    await conn.execute(`UPDATE ${q('contacts')} SET lead_score = 77 WHERE id = ?`, [victim]);
    const stop = await binlogPosition();
    // The mistake: a customer deleted, cascading to its transactions and interactions.
    const txBefore = (await conn.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${q('transactions')} WHERE contact_id = ?`, [victim]))[0]!.n;
    await conn.execute(`DELETE FROM ${q('contacts')} WHERE id = ?`, [victim]);

    const restored = await runRestore({ connector: createConnector(target), from: backup.dir, target: SCHEMA });
    expect(await conn.query(`SELECT 1 FROM ${q('contacts')} WHERE id = 900001`)).toHaveLength(0);

    // The README's procedure, as the restore prints it (binlog-replay.ts). MariaDB: mariadb-binlog
    // --database=crm --start-position … --stop-position … | mariadb. MySQL with GTIDs: mysqlbinlog with
    // --skip-gtids (the restored server has executed every logged GTID already: kept, each replayed
    // transaction would be skipped in silence) and --exclude-gtids=<the snapshot's set>.
    const flavor = (await readServerInfo(conn)).flavor;
    if (flavor === 'mysql') expect(start!.gtid, 'on MySQL the manifest holds the GTID set of the snapshot').toMatch(/^[0-9a-f-]{36}:/);
    expect(restored.binlogReplay).toBe(binlogReplayCommand({ flavor, start: start!, schema: SCHEMA }));
    expect(restored.binlogReplay).toMatch(flavor === 'mysql' ? /^mysqlbinlog --skip-gtids --exclude-gtids='/ : /^mariadb-binlog --database=crm /);
    const files = [start!.file, stop.file].filter((f, i, a) => a.indexOf(f) === i).map((f) => join(dataDir, f));
    const command = binlogReplayCommand({
      flavor,
      start: start!,
      schema: SCHEMA,
      stopPosition: stop.position,
      files,
      tools: replayTools(flavor),
      clientArgs: `-h127.0.0.1 -P${target.port} -uroot`,
    });
    const replay = spawnSync('bash', ['-c', `set -o pipefail; ${command}`], { encoding: 'utf8' });
    expect(replay.status, replay.stderr.slice(0, 2000)).toBe(0);

    expect(await conn.query(`SELECT 1 FROM ${q('contacts')} WHERE id = 900001`)).toHaveLength(1);
    const kept = await conn.query<{ lead_score: number }>(`SELECT lead_score FROM ${q('contacts')} WHERE id = ?`, [victim]);
    expect(kept.map((r) => Number(r.lead_score))).toEqual([77]);
    const tx = (await conn.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${q('transactions')} WHERE contact_id = ?`, [victim]))[0]!.n;
    expect(Number(tx)).toBe(Number(txBefore));
  });

  it('with the binlog on, a restore by an account that cannot create triggers is refused before the swap when capture is installed', async () => {
    await installCapture(conn, SCHEMA);
    const pipeline = pitrPipeline();
    await runGrants({
      pipeline,
      roles: ['restore'],
      host: '%',
      prefix: 'pitr_',
      env: { DUALPIPE_RESTORE_PASSWORD: 'pitr-restore-pw' },
      apply: true,
    });
    await runSync({ pipeline });
    const backup = await runBackup({ pipeline, to: join(dir, 'backups2') });
    const digest = async () => (await conn.query<{ n: number; s: string }>(`SELECT COUNT(*) AS n, SUM(CRC32(CONCAT_WS('|', id, email, updated_at))) AS s FROM ${q('contacts')}`))[0];
    const before = await digest();
    const asRestore = createConnector({ ...target, user: 'pitr_restore', password: 'pitr-restore-pw' });
    await expect(runRestore({ connector: asRestore, from: backup.dir, target: SCHEMA })).rejects.toThrow(
      /cannot create triggers .*: the change-capture triggers of crm could not be installed again after the swap/,
    );
    expect(await digest()).toEqual(before);
    const triggers = await conn.query('SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ?', [SCHEMA]);
    expect(triggers.length).toBeGreaterThan(0);
    const schemas = await conn.query<{ s: string }>("SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'crm\\_\\_dp\\_restore%'");
    expect(schemas).toEqual([]);
  });
  it('past an erasure: the restore withholds the forgotten customer, the idempotent replay and forget --reapply keep it gone, every later change comes back', async () => {
    const pipeline = pitrPipeline();
    const keyFile = join(dir, 'erasure.key');
    writeFileSync(keyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    const key = await readErasureKey(keyFile);
    await runSync({ pipeline });
    const backup = await runBackup({ pipeline, to: join(dir, 'backups-erasure') });
    const subject = await contactWithTree(conn, SCHEMA);
    const tree = await subjectCounts(conn, [subject]);
    // After the backup: a child of the subject (erased later), a change to it, and other work.
    await conn.execute(`INSERT INTO ${q('interactions')} (contact_id, channel, direction, subject, occurred_at) VALUES (?, 'email', 'inbound', 'after the backup', NOW(6))`, [subject]);
    await conn.execute(`UPDATE ${q('contacts')} SET lead_score = 55 WHERE id = ?`, [subject]);
    await conn.execute(`INSERT INTO ${q('contacts')} (id, first_name, last_name, email) VALUES (900002, 'Before', 'Erasure', 'before@example.test')`);
    const forgot = await runForget({ pipeline, where: `contacts.id IN (${subject})`, reason: 'GDPR request (test)', key });
    expect(forgot.subjects).toBe(1);
    await conn.execute(`INSERT INTO ${q('contacts')} (id, first_name, last_name, email) VALUES (900003, 'After', 'Erasure', 'after-erasure@example.test')`);
    const stop = await binlogPosition();

    const restored = await runRestore({ connector: createConnector(target), from: backup.dir, target: SCHEMA, erasureKey: key });
    expect(restored.withheld?.byTable.contacts).toBe(1);
    expect(restored.withheld!.matched + restored.withheld!.cascaded).toBe(Object.values(tree).reduce((a, n) => a + n, 0));
    const flavor = (await readServerInfo(conn)).flavor;
    expect(restored.binlogReplay).toMatch(/forget --reapply/);
    const start = backup.manifest.binlog!;
    const files = [start.file, stop.file].filter((f, i, a) => a.indexOf(f) === i).map((f) => join(dataDir, f));
    const url = `mysql://root@127.0.0.1:${target.port}/${SCHEMA}`;
    const command = binlogReplayCommand({
      flavor, start, schema: SCHEMA, stopPosition: stop.position, files, tools: replayTools(flavor), clientArgs: `-h127.0.0.1 -P${target.port} -uroot`,
      erasures: { reapply: `--source ${url} --erasure-key-file ${keyFile}` },
    }).replace(/ dualpipe /, ` node ${join(process.cwd(), 'dist/bin/dualpipe.js')} `);
    const replay = spawnSync('bash', ['-c', `set -o pipefail; ${command}`], { encoding: 'utf8' });
    expect(replay.status, replay.stderr.slice(0, 2000)).toBe(0);

    expect(await subjectCounts(conn, [subject])).toEqual(Object.fromEntries(Object.keys(tree).map((t) => [t, 0])));
    expect((await conn.query(`SELECT id FROM ${q('contacts')} WHERE id IN (900002, 900003) ORDER BY id`)).map((r) => Number(r.id))).toEqual([900002, 900003]);
    expect(await conn.query(`SELECT 1 FROM ${qualify('crm_report', 'contacts')} WHERE id = ?`, [subject])).toEqual([]);
    if (flavor === 'mariadb') expect((await conn.query<{ m: string }>('SELECT @@GLOBAL.slave_exec_mode AS m'))[0]!.m).toBe('STRICT');
  });
});
