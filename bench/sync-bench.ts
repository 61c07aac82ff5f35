/**
 * npm run bench:sync -- [--server mysql|mariadb] --scale N [--threads T]
 * Seeds the CRM at scale N on a throwaway server of that family (default MariaDB; MySQL runs with
 * GTIDs on), then times on the same data, with the client tools of the server's own family:
 * - the same copy done server-side by the command-line client: INSERT … SELECT per table into MyISAM
 *   tables, then the same report SQL, serially (the physical limit on one server, no consistency);
 * - mariadb-dump/mysqldump --single-transaction | client into MyISAM (mysqlpump, MySQL Shell: not measured, why said);
 * - dualpipe sync, on a quiet source and with writer and analyst loops running, whose latencies
 *   are reported (a heavy analyst query, and a primary-key probe that shows lock waits);
 * - the change-capture triggers' cost to the writer (commits/s without and with them);
 * - dualpipe verify against the first version's BIT_XOR(CRC32) checksum (the price of exactness);
 * - dualpipe sync --incremental after 1% and 0.01% of the rows changed (updates on every table,
 *   inserts, cascading deletes), against a full sync in the same run, and the writer and analyst
 *   latencies during an incremental run.
 */
import { migrate, seed } from '../schema/index.js';
import type { SqlConnection } from '../src/db/connection.js';
import { createConnector } from '../src/db/mysql-driver.js';
import { qualify, quoteId } from '../src/db/quote.js';
import { discoverTables } from '../src/catalog/discover-tables.js';
import { mirrorDdl } from '../sync/full/mirror-ddl.js';
import { loadReportDefinitions, renderReportStatements } from '../sync/reports/report-definitions.js';
import { writableColumns } from '../src/catalog/table-meta.js';
import { incrementalRows } from './incremental-rows.js';
import { verifyRows } from './verify-rows.js';
import { basename } from 'node:path';
import { arg, benchServer, type LatencyStats, latencyLoop, runCommand, saveResults, unavailableAnchors } from './bench-util.js';

const scale = Number(arg('scale', '1'));
const threads = arg('threads', '2');

/** Creates empty MyISAM copies of the source tables in `to`; returns the INSERT … SELECT per table. */
async function createMirrorTables(conn: SqlConnection, from: string, to: string): Promise<string[]> {
  await conn.execute(`DROP DATABASE IF EXISTS ${quoteId(to)}`);
  await conn.execute(`CREATE DATABASE ${quoteId(to)}`);
  const stmts: string[] = [];
  for (const t of await discoverTables(conn, from)) {
    const ddl = (await conn.query<Record<string, string>>(`SHOW CREATE TABLE ${qualify(from, t.name)}`))[0]![
      'Create Table'
    ]!;
    await conn.execute(mirrorDdl(ddl, to, t.name));
    const cols = writableColumns(t)
      .map((c) => quoteId(c.name))
      .join(', ');
    stmts.push(`INSERT INTO ${qualify(to, t.name)} (${cols}) SELECT ${cols} FROM ${qualify(from, t.name)};`);
  }
  return stmts;
}

const fmt = (s: LatencyStats) => `${s.worstMs.toFixed(0)} ms / ${s.medianMs.toFixed(1)} ms`;

async function main(): Promise<void> {
  const server = await benchServer();
  const { client: clientBin, dump: dumpBin } = server.tools;
  const clientName = basename(clientBin);
  const dumpName = basename(dumpBin);
  // A MySQL dump taken with GTIDs on sets @@GLOBAL.gtid_purged, which a server that has executed
  // transactions refuses: the copy goes into the same server, so leave it out.
  const gtidOff = server.flavor === 'mysql' ? ' --set-gtid-purged=OFF' : '';
  const target = { host: '127.0.0.1', port: server.port, user: 'root', database: 'crm' };
  const client = ['-h127.0.0.1', `-P${server.port}`, '-uroot'];
  const url = `mysql://root@127.0.0.1:${server.port}/crm`;
  const cli = ['dist/bin/dualpipe.js', 'sync', '--source', url, '--threads', threads];
  const quietEnv = { env: { DUALPIPE_LOG_LEVEL: 'warn' } };
  try {
    await migrate(target);
    const seeded = await seed(createConnector(target), { scale, seed: 1, threads: 2 });
    process.stdout.write(
      `seeded ${seeded.rows} rows in ${seeded.seconds.toFixed(1)} s (${Math.round(seeded.rowsPerSecond)} rows/s)\n`,
    );
    const admin = await createConnector(target).connect({ database: null });
    const version = (await admin.query<{ v: string }>('SELECT VERSION() AS v'))[0]!.v;

    // Warm-up sync (not timed): fills the buffer pool and creates the report tables analysts read.
    const warm = await runCommand('node', cli, quietEnv);
    if (warm.code !== 0) throw new Error(`warm-up sync failed: ${warm.stderr}`);

    const inserts = await createMirrorTables(admin, 'crm', 'crm_iss');
    const reportSql = loadReportDefinitions().flatMap((d) =>
      renderReportStatements(d, (p) => qualify('crm_iss', p === 'target' ? d.name : p)).map((s) => `${s};`),
    );
    const issMirrors = await runCommand(clientBin, [...client, '-e', inserts.join('\n')]);
    if (issMirrors.code !== 0) throw new Error(`INSERT … SELECT failed: ${issMirrors.stderr}`);
    const issReports = await runCommand(clientBin, [...client, '-e', reportSql.join('\n')]);
    if (issReports.code !== 0) throw new Error(`report SQL failed: ${issReports.stderr}`);
    const iss = issMirrors.seconds + issReports.seconds;

    await createMirrorTables(admin, 'crm', 'crm_dump');
    const dump = await runCommand('bash', [
      '-c',
      `set -o pipefail; '${dumpBin}' ${client.join(' ')} --single-transaction --no-create-info --skip-triggers${gtidOff} ` +
        `crm | '${clientBin}' ${client.join(' ')} crm_dump`,
    ]);
    if (dump.code !== 0) throw new Error(`dump pipe failed: ${dump.stderr.slice(-2000)}`);

    const quiet = await runCommand('node', cli, quietEnv);
    if (quiet.code !== 0) throw new Error(`sync failed: ${quiet.stderr}`);
    const quietRun = await lastSync(admin);
    const verifyCli = ['dist/bin/dualpipe.js', 'verify', '--source', url];
    const verify = await verifyRows({ cli: verifyCli, env: quietEnv, clientBin, client, admin, source: 'crm', report: 'crm_report' });

    // The same sync with a writer, an analyst and a primary-key probe running throughout.
    const w = await createConnector(target).connect();
    const a = await createConnector(target).connect({ database: null });
    const probe = await createConnector(target).connect({ database: null });
    const maxContact = Number((await w.query<{ m: number }>('SELECT MAX(id) AS m FROM contacts'))[0]!.m);
    let k = 0;
    const writeOnce = async () => {
      k++;
      const id = (k * 7919) % maxContact || 1;
      await w.execute('START TRANSACTION');
      // The nearest existing contact: the incremental rows below delete some.
      await w.execute(
        "INSERT INTO interactions (contact_id, channel, direction, subject, body, occurred_at) SELECT id, 'email', 'inbound', 'bench', 'bench body', NOW(6) FROM contacts WHERE id >= ? ORDER BY id LIMIT 1",
        [id],
      );
      await w.execute('UPDATE contacts SET lead_score = lead_score + 1 WHERE id = ?', [id]);
      await w.execute('COMMIT');
    };
    // A writer retries a deadlock, as an application would (InnoDB rolled the transaction back):
    // one between the writer and the bench's own cascading deletes ended a run.
    const writeOp = async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await writeOnce();
        } catch (error) {
          await w.execute('ROLLBACK').catch(() => {});
          if ((error as { errno?: number }).errno !== 1213 || attempt >= 5) throw error;
        }
      }
    };
    const readOp = async () => {
      await a.query(
        'SELECT COUNT(*) AS n, SUM(lifetime_value) AS v FROM crm_report.rpt_customer_360 WHERE lifecycle_stage = ?',
        ['customer'],
      );
    };
    const probeOp = async () => {
      await probe.query('SELECT contact_id FROM crm_report.rpt_customer_360 WHERE contact_id = ?', [
        (k % maxContact) + 1,
      ]);
      await probe.query('SELECT id FROM crm_report.contacts WHERE id = ?', [(k % maxContact) + 1]);
    };
    const loops = () => [latencyLoop(writeOp), latencyLoop(readOp), latencyLoop(probeOp, 10)];
    const before = loops();
    await new Promise((r) => setTimeout(r, 3000));
    const [bw, ba, bp] = (await Promise.all(before.map((l) => l.stop()))) as [
      LatencyStats,
      LatencyStats,
      LatencyStats,
    ];
    const during = loops();
    const loaded = await runCommand('node', cli, quietEnv);
    const [ws, as, ps] = (await Promise.all(during.map((l) => l.stop()))) as [
      LatencyStats,
      LatencyStats,
      LatencyStats,
    ];
    if (loaded.code !== 0) throw new Error(`loaded sync failed: ${loaded.stderr}`);
    const loadedRun = await lastSync(admin);

    const incremental = await incrementalRows({ cli, env: quietEnv, url, target, writer: w, admin, writeOp, loops, fmt });
    await Promise.all([w.close(), a.close(), probe.close(), admin.close()]);

    const r2 = (x: number) => x.toFixed(2);
    saveResults(
      `sync-${server.flavor}`,
      `bench:sync on ${server.flavor === 'mysql' ? 'MySQL' : 'MariaDB'} ${version} at scale ${scale} (${seeded.rows} rows, ${threads} threads)`,
      ['what', 'seconds', 'ratio to INSERT…SELECT', 'notes'],
      [
        [
          `server-side INSERT … SELECT per table + report SQL (${clientName} client, serial)`,
          r2(iss),
          '1.00',
          `mirrors ${r2(issMirrors.seconds)} s + reports ${r2(issReports.seconds)} s; no consistency across tables`,
        ],
        [
          'dualpipe sync, quiet source',
          r2(quiet.seconds),
          r2(quiet.seconds / iss),
          `mirrors phase ${r2(quietRun.mirrorSeconds)} s (${r2(quietRun.mirrorSeconds / issMirrors.seconds)}x the mirror copies); peak RSS ${quiet.peakRssMb.toFixed(0)} MB`,
        ],
        [
          'dualpipe sync, writer + analyst running',
          r2(loaded.seconds),
          r2(loaded.seconds / iss),
          `${loadedRun.chunks} chunks / ${loadedRun.rows} rows repaired; peak RSS ${loaded.peakRssMb.toFixed(0)} MB`,
        ],
        [
          `${dumpName} --single-transaction${gtidOff} \\| ${clientName} (MyISAM, mirrors only, no reports)`,
          r2(dump.seconds),
          r2(dump.seconds / iss),
          `${r2(dump.seconds / quietRun.mirrorSeconds)}x the sync's mirrors phase; ${server.tools.dumpVersion}`,
        ],
        ...unavailableAnchors(server.flavor, 4),
        [
          'writer commit latency during sync (worst / median)',
          fmt(ws),
          '',
          `${ws.samples} commits; before: ${fmt(bw)}`,
        ],
        [
          'analyst aggregate on rpt_customer_360 during sync (worst / median)',
          fmt(as),
          '',
          `${as.samples} queries; before: ${fmt(ba)}`,
        ],
        [
          'analyst primary-key probe during sync (worst / median)',
          fmt(ps),
          '',
          `${ps.samples} probes; before: ${fmt(bp)}`,
        ],
        ...verify,
        ...incremental,
      ],
      {
        server: version,
        flavor: server.flavor,
        dumpTool: server.tools.dumpVersion,
        scale,
        threads,
        seededRows: seeded.rows,
        seedRowsPerSecond: Math.round(seeded.rowsPerSecond),
      },
    );
  } finally {
    await server.stop();
  }
}

/** Phase figures of the last successful sync, from the run history. */
async function lastSync(
  conn: SqlConnection,
): Promise<{ mirrorSeconds: number; chunks: number; rows: number }> {
  const rows = await conn.query<{ details: string }>(
    "SELECT details FROM crm_report._dualpipe_runs WHERE kind = 'sync' AND status = 'succeeded' ORDER BY id DESC LIMIT 1",
  );
  const d = JSON.parse(rows[0]!.details) as {
    mirrorsSeconds: number;
    tables: { chunksRepaired: number; rowsRepaired: number }[];
  };
  return {
    mirrorSeconds: d.mirrorsSeconds,
    chunks: d.tables.reduce((s, t) => s + t.chunksRepaired, 0),
    rows: d.tables.reduce((s, t) => s + t.rowsRepaired, 0),
  };
}

await main();
