/**
 * Binlog capture reading a replica: two throwaway servers on loopback with real replication
 * (GTID-based, the replica logging what it applies). Writes go to the primary; dualpipe's source
 * is the replica (its snapshot and its binlog), its report schema lives on the replica too. The
 * mirrors are checked against the primary once the replica has applied everything. A stopped
 * replica holds a run back with --max-lag (and --max-pause ends the wait, changing nothing).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, seed } from '../../../../schema/index.js';
import type { SqlConnection } from '../../../../src/db/connection.js';
import { createConnector } from '../../../../src/db/mysql-driver.js';
import { startEmbeddedServer, stopEmbeddedServer } from '../../../../src/server/embedded-server.js';
import { runCliCapture } from '../../../helpers/run-cli-capture.js';
import { schemaDigest } from '../../../helpers/table-digest.js';
import { ownServerOptions } from '../../../helpers/test-server-choice.js';

const dirs: string[] = [];
let primary: SqlConnection;
let replica: SqlConnection;
let flavor: 'mariadb' | 'mysql';
let primaryGtid: () => Promise<void>;
let replicaUrl = '';
let tables: string[] = [];
const REPORT = 'crm_report';

async function start(serverId: number, o: { replica: boolean; freshDataDir: boolean }) {
  const dir = mkdtempSync(join(tmpdir(), `dualpipe-repl-${serverId}-`));
  dirs.push(dir);
  const { templateDataDir, ...own } = ownServerOptions(['--log-bin=binlog', '--binlog-format=ROW', `--server-id=${serverId}`, ...(o.replica ? ['--log-slave-updates=ON'] : [])]);
  return startEmbeddedServer({ dir, install: true, ...own, ...(templateDataDir && !o.freshDataDir ? { templateDataDir } : {}) });
}

beforeAll(async () => {
  const p = await start(1, { replica: false, freshDataDir: false });
  flavor = p.flavor;
  // A MySQL data directory copied from the template keeps its server_uuid (auto.cnf), and
  // replication refuses a replica with its primary's: the replica's is initialised afresh.
  const r = await start(2, { replica: true, freshDataDir: flavor === 'mysql' });
  primary = await createConnector({ host: '127.0.0.1', port: p.port, user: 'root' }).connect({ database: null });
  replica = await createConnector({ host: '127.0.0.1', port: r.port, user: 'root' }).connect({ database: null });
  await primary.execute("CREATE USER 'repl'@'%' IDENTIFIED BY 'repl-pw'");
  await primary.execute("GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%'");
  if (flavor === 'mariadb') {
    await replica.execute(`CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${p.port}, MASTER_USER='repl', MASTER_PASSWORD='repl-pw', MASTER_USE_GTID=slave_pos`);
    await replica.execute('START SLAVE');
    primaryGtid = async () => {
      const [g] = await primary.query<{ g: string }>('SELECT @@GLOBAL.gtid_binlog_pos AS g');
      const [w] = await replica.query<{ w: number }>('SELECT MASTER_GTID_WAIT(?, 20) AS w', [g!.g]);
      const status = await replica.query<Record<string, unknown>>('SHOW SLAVE STATUS');
      expect(Number(w!.w), `the replica caught up: ${String(status[0]?.Last_IO_Error)} ${String(status[0]?.Last_SQL_Error)}`).toBe(0);
    };
  } else {
    await replica.execute(
      `CHANGE REPLICATION SOURCE TO SOURCE_HOST='127.0.0.1', SOURCE_PORT=${p.port}, SOURCE_USER='repl', SOURCE_PASSWORD='repl-pw', SOURCE_AUTO_POSITION=1, SOURCE_SSL=0, GET_SOURCE_PUBLIC_KEY=1`,
    );
    await replica.execute('START REPLICA');
    primaryGtid = async () => {
      const [g] = await primary.query<{ g: string }>('SELECT @@GLOBAL.gtid_executed AS g');
      const [w] = await replica.query<{ w: number }>('SELECT WAIT_FOR_EXECUTED_GTID_SET(?, 20) AS w', [g!.g]);
      const status = await replica.query<Record<string, unknown>>('SHOW REPLICA STATUS');
      expect(Number(w!.w), `the replica caught up: ${String(status[0]?.Last_IO_Error)} ${String(status[0]?.Last_SQL_Error)}`).toBe(0);
    };
  }
  const target = { host: '127.0.0.1', port: p.port, user: 'root', database: 'crm' };
  await migrate(target);
  await seed(createConnector(target), { scale: 0.01, seed: 7, threads: 1 });
  await primaryGtid();
  tables = (await primary.query<{ t: string }>("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'crm' AND TABLE_TYPE = 'BASE TABLE'")).map((x) => x.t);
  replicaUrl = `mysql://root@127.0.0.1:${r.port}/crm`;
}, 180_000);

afterAll(async () => {
  await primary?.close();
  await replica?.close();
  for (const dir of dirs) {
    await stopEmbeddedServer({ dir }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
});

const cli = (args: string[]) => runCliCapture([...args, '--source', replicaUrl, '--report-database', REPORT]);

describe('binlog capture from a replica', () => {
  it('syncs from the replica what the primary committed, cascades included, and matches the primary', async () => {
    expect((await cli(['capture', 'install', '--method', 'binlog'])).code).toBe(0);
    const full = await cli(['sync', '--incremental', '--json']);
    expect(full.code, full.stderr).toBe(0);
    // On the primary: updates, a re-parent then a cascade, deletes cascading three levels, inserts.
    await primary.execute('UPDATE crm.contacts SET first_name = CONCAT(first_name, \'*\') WHERE id % 7 = 0');
    await primary.execute('UPDATE crm.transactions SET contact_id = 5 WHERE id % 13 = 0');
    await primary.execute('DELETE FROM crm.contacts WHERE id = 5 OR id % 17 = 0');
    await primary.execute('DELETE FROM crm.organizations WHERE id % 19 = 0');
    await primary.execute("INSERT INTO crm.pipeline_stages (name, position, probability) VALUES ('replicated', 98, 0.4)");
    await primaryGtid();
    for (let i = 0; i < 2; i++) {
      const r = await cli(['sync', '--incremental', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as { fullSyncReason?: string }).fullSyncReason, 'incremental from the replica\'s binlog').toBeUndefined();
      expect(await schemaDigest(replica, REPORT, tables)).toEqual(await schemaDigest(primary, 'crm', tables));
    }
  });

  it('waits for a stopped replica under --max-lag, gives up after --max-pause changing nothing, and syncs once it runs', async () => {
    await replica.execute(flavor === 'mariadb' ? 'STOP SLAVE SQL_THREAD' : 'STOP REPLICA SQL_THREAD');
    await primary.execute('DELETE FROM crm.contacts WHERE id % 23 = 0');
    const before = await schemaDigest(replica, REPORT, tables);
    const held = await cli(['sync', '--incremental', '--max-lag', '5', '--max-pause', '2']);
    expect(held.code).not.toBe(0);
    expect(held.stderr).toMatch(/replica lag unknown \(replication stopped\)/);
    expect(await schemaDigest(replica, REPORT, tables)).toEqual(before);
    await replica.execute(flavor === 'mariadb' ? 'START SLAVE SQL_THREAD' : 'START REPLICA SQL_THREAD');
    await primaryGtid();
    const r = await cli(['sync', '--incremental', '--max-lag', '5', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(await schemaDigest(replica, REPORT, tables)).toEqual(await schemaDigest(primary, 'crm', tables));
  });

  it("the sync role's account on the replica reads the replica status for --max-lag (MariaDB: SLAVE MONITOR, granted on replicas only)", async () => {
    const grants = (url: string) =>
      runCliCapture(['grants', '--apply', '--json', '--roles', 'sync', '--prefix', 'rp_', '--source', url, '--report-database', REPORT], {
        DUALPIPE_SYNC_PASSWORD: 'sync-pw',
      });
    const onReplica = await grants(replicaUrl);
    expect(onReplica.code, onReplica.stderr).toBe(0);
    expect(/GRANT SLAVE MONITOR ON \*\.\*/.test(onReplica.stdout)).toBe(flavor === 'mariadb');
    await primary.execute('UPDATE crm.contacts SET last_name = CONCAT(last_name, \'~\') WHERE id % 11 = 0');
    await primaryGtid();
    const asSync = await runCliCapture(
      ['sync', '--incremental', '--max-lag', '5', '--json', '--source', replicaUrl.replace('root@', 'rp_sync@'), '--report-database', REPORT],
      { DUALPIPE_SOURCE_PASSWORD: 'sync-pw' },
    );
    expect(asSync.code, asSync.stderr).toBe(0);
    expect((JSON.parse(asSync.stdout) as { fullSyncReason?: string }).fullSyncReason).toBeUndefined();
    expect(await schemaDigest(replica, REPORT, tables)).toEqual(await schemaDigest(primary, 'crm', tables));
  });
});
