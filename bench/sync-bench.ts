/**
 * npm run bench:sync -- --scale N [--threads T]
 * Seeds the CRM at scale N on a throwaway server, then times on the same data: the server-side
 * INSERT … SELECT per table by the mariadb client (the physical limit on one server), the
 * mariadb-dump --single-transaction | mariadb pipe a DBA would script, and dualpipe sync (quiet,
 * and with a writer loop and an analyst loop running, whose worst latencies are reported).
 */
import { migrate, seed } from '../schema/index.js';
import type { SqlConnection } from '../src/db/connection.js';
import { createConnector } from '../src/db/mysql-driver.js';
import { qualify, quoteId } from '../src/db/quote.js';
import { discoverTables } from '../sync/discover-tables.js';
import { mirrorDdl } from '../sync/mirror-ddl.js';
import { writableColumns } from '../sync/table-meta.js';
import { arg, benchServer, latencyLoop, runCommand, saveResults } from './bench-util.js';

const scale = Number(arg('scale', '1'));
const threads = arg('threads', '2');

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

async function main(): Promise<void> {
  const server = await benchServer();
  const target = { host: '127.0.0.1', port: server.port, user: 'root', database: 'crm' };
  const client = ['-h127.0.0.1', `-P${server.port}`, '-uroot'];
  const url = `mysql://root@127.0.0.1:${server.port}/crm`;
  const cli = ['dist/bin/dualpipe.js', 'sync', '--source', url, '--threads', threads];
  try {
    await migrate(target);
    const seeded = await seed(createConnector(target), { scale, seed: 1, threads: 2 });
    process.stdout.write(
      `seeded ${seeded.rows} rows in ${seeded.seconds.toFixed(1)} s (${Math.round(seeded.rowsPerSecond)} rows/s)\n`,
    );
    const admin = await createConnector(target).connect({ database: null });
    const version = (await admin.query<{ v: string }>('SELECT VERSION() AS v'))[0]!.v;

    // Warm-up sync (not timed): fills the buffer pool and creates the report tables analysts read.
    const warm = await runCommand('node', cli, { env: { DUALPIPE_LOG_LEVEL: 'warn' } });
    if (warm.code !== 0) throw new Error(`warm-up sync failed: ${warm.stderr}`);

    const inserts = await createMirrorTables(admin, 'crm', 'crm_iss');
    const iss = await runCommand('mariadb', [...client, '-e', inserts.join('\n')]);
    if (iss.code !== 0) throw new Error(`INSERT … SELECT failed: ${iss.stderr}`);

    await createMirrorTables(admin, 'crm', 'crm_dump');
    const dump = await runCommand(
      'bash',
      [
        '-c',
        `set -o pipefail; mariadb-dump ${client.join(' ')} --single-transaction --no-create-info --skip-triggers --ignore-table=crm.dualpipe_migrations --ignore-table=crm.dualpipe_migrations_lock crm | mariadb ${client.join(' ')} crm_dump`,
      ],
      {},
    );
    if (dump.code !== 0) throw new Error(`dump pipe failed: ${dump.stderr.slice(-2000)}`);

    const quiet = await runCommand('node', cli, { env: { DUALPIPE_LOG_LEVEL: 'warn' } });
    if (quiet.code !== 0) throw new Error(`sync failed: ${quiet.stderr}`);

    // The same sync with a writer and an analyst running throughout.
    const w = await createConnector(target).connect();
    const a = await createConnector(target).connect({ database: null });
    const maxContact = Number((await w.query<{ m: number }>('SELECT MAX(id) AS m FROM contacts'))[0]!.m);
    let k = 0;
    const writeOp = async () => {
      k++;
      const id = (k * 7919) % maxContact || 1;
      await w.execute('START TRANSACTION');
      await w.execute(
        "INSERT INTO interactions (contact_id, channel, direction, subject, body, occurred_at) VALUES (?, 'email', 'inbound', 'bench', 'bench body', NOW(6))",
        [id],
      );
      await w.execute('UPDATE contacts SET lead_score = lead_score + 1 WHERE id = ?', [id]);
      await w.execute('COMMIT');
    };
    const readOp = async () => {
      await a.query(
        'SELECT COUNT(*) AS n, SUM(lifetime_value) AS v FROM crm_report.rpt_customer_360 WHERE lifecycle_stage = ?',
        ['customer'],
      );
      await a.query('SELECT * FROM crm_report.contacts WHERE id = ?', [(k % maxContact) + 1]);
    };
    const baselineW = latencyLoop(writeOp);
    const baselineA = latencyLoop(readOp);
    await new Promise((r) => setTimeout(r, 2000));
    const bw = await baselineW.stop();
    const ba = await baselineA.stop();
    const writer = latencyLoop(writeOp);
    const analyst = latencyLoop(readOp);
    const loaded = await runCommand('node', cli, { env: { DUALPIPE_LOG_LEVEL: 'warn' } });
    const ws = await writer.stop();
    const as = await analyst.stop();
    if (loaded.code !== 0) throw new Error(`loaded sync failed: ${loaded.stderr}`);
    const lastRun = await a.query<{ details: string }>(
      "SELECT details FROM crm_report._dualpipe_runs WHERE kind = 'sync' AND status = 'succeeded' ORDER BY id DESC LIMIT 1",
    );
    const details = JSON.parse(lastRun[0]!.details) as {
      tables: { chunksRepaired: number; rowsRepaired: number }[];
    };
    const repaired = details.tables.reduce((s, t) => s + t.chunksRepaired, 0);
    const repairedRows = details.tables.reduce((s, t) => s + t.rowsRepaired, 0);
    await w.close();
    await a.close();
    await admin.close();

    const base = iss.seconds;
    const r2 = (x: number) => x.toFixed(2);
    saveResults(
      'sync',
      `bench:sync at scale ${scale} (${seeded.rows} rows, ${threads} threads)`,
      ['what', 'seconds', 'ratio to INSERT…SELECT', 'notes'],
      [
        [
          'server-side INSERT … SELECT per table (mariadb client, serial)',
          r2(base),
          '1.00',
          'the physical limit on one server',
        ],
        [
          'dualpipe sync, quiet source',
          r2(quiet.seconds),
          r2(quiet.seconds / base),
          `peak RSS ${quiet.peakRssMb.toFixed(0)} MB`,
        ],
        [
          'dualpipe sync, writer + analyst running',
          r2(loaded.seconds),
          r2(loaded.seconds / base),
          `${repaired} chunks / ${repairedRows} rows repaired; peak RSS ${loaded.peakRssMb.toFixed(0)} MB`,
        ],
        [
          'mariadb-dump --single-transaction \\| mariadb (MyISAM)',
          r2(dump.seconds),
          r2(dump.seconds / base),
          `dualpipe sync is ${(dump.seconds / quiet.seconds).toFixed(2)}x faster`,
        ],
        [
          'writer commit latency during sync (worst / median)',
          `${ws.worstMs.toFixed(0)} ms / ${ws.medianMs.toFixed(1)} ms`,
          '',
          `${ws.samples} commits; before the sync worst ${bw.worstMs.toFixed(0)} ms, median ${bw.medianMs.toFixed(1)} ms`,
        ],
        [
          'analyst query latency during sync (worst / median)',
          `${as.worstMs.toFixed(0)} ms / ${as.medianMs.toFixed(1)} ms`,
          '',
          `${as.samples} queries; before the sync worst ${ba.worstMs.toFixed(0)} ms, median ${ba.medianMs.toFixed(1)} ms`,
        ],
      ],
      {
        server: version,
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

await main();
