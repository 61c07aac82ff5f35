/**
 * npm run bench:backup -- [--server mysql|mariadb] --scale N [--threads T]
 * On one throwaway server of that family (default MariaDB; MySQL runs with GTIDs on) and the same
 * MyISAM mirrors, times backups (uncompressed, same threads; then gzip and zstd with their sizes): dualpipe backup, the family's own
 * mariadb-dump/mysqldump --lock-tables and mydumper; then restores into InnoDB: dualpipe restore
 * (foreign keys checked, atomic swap), the family's client loading the dump, myloader, and a
 * server-side INSERT INTO innodb SELECT FROM myisam (the limit on one server). mysqlpump and MySQL
 * Shell are listed as not measured, with the reason. mydumper/myloader come from Debian's mydumper
 * package (installed here when missing); a run of theirs that fails on this server is reported as such.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { migrate, seed } from '../schema/index.js';
import { createConnector } from '../src/db/mysql-driver.js';
import { writeNewKey } from '../backup/format/backup-key.js';
import { systemZstdProbe } from '../backup/format/chunk-compression.js';
import { qualify, quoteId } from '../src/db/quote.js';
import { discoverTables } from '../src/catalog/discover-tables.js';
import { lastSucceededSync } from '../src/history/run-history.js';
import type { SourceState } from '../src/catalog/source-state.js';
import { writableColumns } from '../src/catalog/table-meta.js';
import { arg, benchServer, dirBytes, runCommand, saveResults, unavailableAnchors } from './bench-util.js';

const scale = Number(arg('scale', '1'));
const threads = arg('threads', '2');

function ensureMydumper(): void {
  if (spawnSync('sh', ['-c', 'command -v mydumper && command -v myloader']).status === 0) return;
  if (process.getuid?.() !== 0) throw new Error('mydumper is not installed: apt-get install mydumper');
  process.stdout.write('installing mydumper with apt-get …\n');
  spawnSync('apt-get', ['install', '-y', '-qq', 'mydumper'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

/** Rows in mydumper's data files: each row of its multi-row INSERTs begins a line with "(". */
function rowLinesIn(dir: string): number {
  let rows = 0;
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.sql') && !f.endsWith('-schema.sql') && !f.endsWith('-schema-create.sql'))) {
    const text = readFileSync(join(dir, f));
    for (let i = text.indexOf('\n('); i >= 0; i = text.indexOf('\n(', i + 1)) rows++;
  }
  return rows;
}

/** Bytes of every file under `dir`. */
async function main(): Promise<void> {
  ensureMydumper();
  const server = await benchServer();
  const { client: clientBin, dump: dumpBin } = server.tools;
  const clientName = basename(clientBin);
  const dumpName = basename(dumpBin);
  // A MySQL dump taken with GTIDs on sets @@GLOBAL.gtid_purged, which the server it is loaded back
  // into (this one, which has executed transactions) refuses.
  const gtidOff = server.flavor === 'mysql' ? ' --set-gtid-purged=OFF' : '';
  const port = server.port;
  const target = { host: '127.0.0.1', port, user: 'root', database: 'crm' };
  const client = ['-h127.0.0.1', `-P${port}`, '-uroot'];
  const url = `mysql://root@127.0.0.1:${port}/crm`;
  const node = (args: string[]) => runCommand('node', ['dist/bin/dualpipe.js', ...args, '--source', url], { env: { DUALPIPE_LOG_LEVEL: 'warn' }, stdout: true });
  const work = mkdtempSync(join(tmpdir(), 'dualpipe-bench-backup-'));
  try {
    await migrate(target);
    const seeded = await seed(createConnector(target), { scale, seed: 1, threads: 2 });
    const synced = await node(['sync']);
    if (synced.code !== 0) throw new Error(`sync failed: ${synced.stderr}`);
    const admin = await createConnector(target).connect({ database: null });
    const version = (await admin.query<{ v: string }>('SELECT VERSION() AS v'))[0]!.v;
    // The mirrors of the last sync (the report schema also holds reports and dualpipe's own tables).
    const state = (await lastSucceededSync(admin, 'crm_report'))!.sourceState as SourceState;
    const mirrors = (await discoverTables(admin, 'crm_report', { engine: 'MyISAM' })).filter((t) => state.ddl[t.name] !== undefined);
    const names = mirrors.map((m) => m.name);

    // --- backups ---
    const dp = await node(['backup', '--to', join(work, 'dp'), '--create-dirs', '--compress', 'none', '--threads', threads]);
    if (dp.code !== 0) throw new Error(`dualpipe backup failed: ${dp.stderr}`);
    const dumpFile = join(work, 'dump.sql');
    const md = await runCommand('bash', [
      '-c',
      `'${dumpBin}' ${client.join(' ')} --lock-tables${gtidOff} crm_report ${names.map((n) => `'${n}'`).join(' ')} > ${dumpFile}`,
    ]);
    if (md.code !== 0) throw new Error(`${dumpName} failed: ${md.stderr}`);
    const mydDir = join(work, 'mydumper');
    const myd = await runCommand('mydumper', [
      '-h', '127.0.0.1', '-P', String(port), '-u', 'root', '-t', threads, '-B', 'crm_report',
      '-T', names.join(','), '-r', '100000', '-o', mydDir,
    ]);
    // mydumper is a third-party tool built against its own client library: on a server it does not
    // support it fails, and the table says so rather than the bench stopping.
    const failed = (r: { code: number | null; stderr: string }) =>
      r.code === 0 ? undefined : `failed on this server (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-1)[0]?.slice(0, 160) ?? ''}`;
    const mydFailed = failed(myd);
    // A fast dump that left rows out would flatter it: count the rows in mydumper's files (each
    // row of its INSERTs starts a line with "(", line breaks inside values are escaped) against
    // the mirrors' row counts.
    let mirrorRows = 0;
    for (const n of names) mirrorRows += Number((await admin.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${qualify('crm_report', n)}`))[0]!.n);
    const mydRows = mydFailed ? 0 : rowLinesIn(mydDir);

    const keyFile = join(work, 'backup.key');
    await writeNewKey(keyFile);
    const de = await node(['backup', '--to', join(work, 'dpenc'), '--create-dirs', '--compress', 'none', '--threads', threads, '--encrypt-key-file', keyFile]);
    if (de.code !== 0) throw new Error(`dualpipe encrypted backup failed: ${de.stderr}`);

    // --- compressed backups (#19): sizes against the uncompressed backup ---
    const dg = await node(['backup', '--to', join(work, 'dpgz'), '--create-dirs', '--compress', 'gzip', '--threads', threads]);
    if (dg.code !== 0) throw new Error(`dualpipe gzip backup failed: ${dg.stderr}`);
    const dz = await node(['backup', '--to', join(work, 'dpzst'), '--create-dirs', '--compress', 'zstd', '--threads', threads]);
    if (dz.code !== 0) throw new Error(`dualpipe zstd backup failed: ${dz.stderr}`);
    // Debian's mydumper 0.10 compresses with gzip only (-c); zstd came in mydumper 0.12.
    const mydzDir = join(work, 'mydumper-c');
    const mydz = await runCommand('mydumper', [
      '-h', '127.0.0.1', '-P', String(port), '-u', 'root', '-t', threads, '-B', 'crm_report',
      '-T', names.join(','), '-r', '100000', '-c', '-o', mydzDir,
    ]);
    const mydzFailed = failed(mydz);
    const plainBytes = dirBytes(join(work, 'dp'));
    // The level choice (chunk-compression.ts ZSTD_LEVEL): zstd -1..-3 over the uncompressed chunks, one stream.
    const chunksOf = (d: string) => join(d, readdirSync(d)[0]!, 'chunks');
    const levels = [];
    for (const level of ['-1', '-2', '-3']) {
      const z = await runCommand('bash', ['-c', `set -o pipefail; cat '${chunksOf(join(work, 'dp'))}'/*.tsv | zstd -q -c ${level} | wc -c`], { stdout: true });
      if (z.code !== 0) throw new Error(`zstd ${level} failed: ${z.stderr}`);
      levels.push({ level, seconds: z.seconds, bytes: Number(z.stdout.trim()) });
    }

    // --- restores into InnoDB ---
    const backupDir = join(work, 'dp', readdirSync(join(work, 'dp'))[0]!);
    const dr = await node(['restore', '--from', backupDir, '--into', 'crm_r_dualpipe', '--threads', threads, '--yes']);
    if (dr.code !== 0) throw new Error(`dualpipe restore failed: ${dr.stderr}`);
    const encDir = join(work, 'dpenc', readdirSync(join(work, 'dpenc'))[0]!);
    const dre = await node(['restore', '--from', encDir, '--into', 'crm_r_enc', '--threads', threads, '--yes', '--encrypt-key-file', keyFile]);
    if (dre.code !== 0) throw new Error(`dualpipe encrypted restore failed: ${dre.stderr}`);
    const zstDir = join(work, 'dpzst', readdirSync(join(work, 'dpzst'))[0]!);
    const drz = await node(['restore', '--from', zstDir, '--into', 'crm_r_zstd', '--threads', threads, '--yes']);
    if (drz.code !== 0) throw new Error(`dualpipe zstd restore failed: ${drz.stderr}`);
    // Undelete one contact (with its dependent rows) from the backup into the live schema.
    const victim = (await admin.query<{ id: number }>('SELECT contact_id AS id FROM crm.transactions ORDER BY id LIMIT 1'))[0]!.id;
    const dependents = `SELECT (SELECT COUNT(*) FROM crm.contacts WHERE id = ?) + (SELECT COUNT(*) FROM crm.addresses WHERE contact_id = ?)
      + (SELECT COUNT(*) FROM crm.transactions WHERE contact_id = ?) + (SELECT COUNT(*) FROM crm.interactions WHERE contact_id = ?)
      + (SELECT COUNT(*) FROM crm.transaction_items i JOIN crm.transactions t ON t.id = i.transaction_id WHERE t.contact_id = ?) AS n`;
    const count = async () => Number((await admin.query<{ n: number }>(dependents, [victim, victim, victim, victim, victim]))[0]!.n);
    const before = await count();
    await admin.execute('DELETE FROM crm.contacts WHERE id = ?', [victim]);
    const mg = await node(['restore', '--from', backupDir, '--mode', 'merge', '--where', `contacts.id = ${victim}`, '--threads', threads, '--json']);
    if (mg.code !== 0) throw new Error(`dualpipe merge restore failed: ${mg.stderr}`);
    const mgResult = JSON.parse(mg.stdout) as { chunksRead: number; chunksTotal: number; keyIndex: boolean; bytesRead?: number };
    const merged = await count();
    if (merged !== before) throw new Error(`merge brought back ${merged} rows of ${before}`);
    // The dump holds MyISAM DDL (it was taken from the mirrors): load it as InnoDB.
    await admin.execute('CREATE DATABASE crm_r_client');
    const cl = await runCommand('bash', ['-c', `set -o pipefail; sed 's/ENGINE=MyISAM/ENGINE=InnoDB/' ${dumpFile} | '${clientBin}' ${client.join(' ')} crm_r_client`]);
    if (cl.code !== 0) throw new Error(`client restore failed: ${cl.stderr}`);
    let ml: Awaited<ReturnType<typeof runCommand>> | undefined;
    if (!mydFailed) {
      for (const f of readdirSync(mydDir).filter((f) => f.endsWith('-schema.sql'))) {
        const p = join(mydDir, f);
        writeFileSync(p, readFileSync(p, 'utf8').replace(/ENGINE=MyISAM/g, 'ENGINE=InnoDB'));
      }
      await admin.execute('CREATE DATABASE crm_r_myloader');
      ml = await runCommand('myloader', ['-h', '127.0.0.1', '-P', String(port), '-u', 'root', '-t', threads, '-d', mydDir, '-B', 'crm_r_myloader']);
    }
    const mlFailed = ml ? failed(ml) : 'not run: mydumper failed';
    // Server-side copy into InnoDB tables with the source DDL (foreign keys defined, checks off).
    await admin.execute('CREATE DATABASE crm_r_server');
    const ddl = ['SET foreign_key_checks = 0;', 'USE crm_r_server;', ...names.map((n) => `${state.ddl[n]};`)];
    const inserts = mirrors.map((m) => {
      const cols = writableColumns(m).map((c) => quoteId(c.name)).join(', ');
      return `INSERT INTO ${qualify('crm_r_server', m.name)} (${cols}) SELECT ${cols} FROM ${qualify('crm_report', m.name)};`;
    });
    const ddlRun = await runCommand(clientBin, [...client, '-e', ddl.join('\n')]);
    if (ddlRun.code !== 0) throw new Error(`server-side DDL failed: ${ddlRun.stderr}`);
    const ss = await runCommand(clientBin, [...client, '-e', ['SET foreign_key_checks = 0, unique_checks = 0;', ...inserts].join('\n')]);
    if (ss.code !== 0) throw new Error(`server-side restore failed: ${ss.stderr}`);
    // A tool that "succeeds" with nothing loaded would flatter it: compare the contacts restored.
    const contacts = async (schema: string) =>
      Number((await admin.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${qualify(schema, 'contacts')}`))[0]!.n);
    const expected = await contacts('crm_report');
    const loadedNote = async (schema: string) => {
      const n = await contacts(schema);
      return n === expected ? '' : `; LOADED ${n} OF ${expected} CONTACTS`;
    };
    const clNote = await loadedNote('crm_r_client');
    const mlNote = ml && !mlFailed ? await loadedNote('crm_r_myloader') : '';
    await admin.close();

    const r2 = (x: number) => x.toFixed(2);
    const mb = (x: number) => `${x.toFixed(0)} MB`;
    const mib = (x: number) => `${(x / 1024 / 1024).toFixed(1)} MiB`;
    const zstdHow = systemZstdProbe.zlib() ? "Node's zlib" : 'the zstd command';
    saveResults(
      `backup-${server.flavor}`,
      `bench:backup on ${server.flavor === 'mysql' ? 'MySQL' : 'MariaDB'} ${version} at scale ${scale} (${seeded.rows} rows, ${threads} threads, uncompressed unless a row says -c or --compress)`,
      ['what', 'seconds', 'ratio', 'notes'],
      [
        ['dualpipe backup', r2(dp.seconds), '1.00', `peak RSS ${mb(dp.peakRssMb)}; SHA-256 per chunk, manifest`],
        ['dualpipe backup --encrypt-key-file', r2(de.seconds), r2(de.seconds / dp.seconds), `peak RSS ${mb(de.peakRssMb)}; AES-256-GCM chunks, sealed table list`],
        [`${dumpName} --lock-tables${gtidOff}`, r2(md.seconds), r2(md.seconds / dp.seconds), `one thread, one SQL file; ${server.tools.dumpVersion}`],
        mydFailed
          ? [`mydumper -t ${threads}`, 'n/a', '', mydFailed]
          : [`mydumper -t ${threads}`, r2(myd.seconds), r2(myd.seconds / dp.seconds), `dualpipe is ${r2(dp.seconds / myd.seconds)}x mydumper's time; ${mydRows === mirrorRows ? `all ${mydRows} rows in its files` : `ONLY ${mydRows} OF ${mirrorRows} ROWS IN ITS FILES`}`],
        ['dualpipe backup --compress gzip', r2(dg.seconds), r2(dg.seconds / dp.seconds), `${mib(dirBytes(join(work, 'dpgz')))}, ${r2(dirBytes(join(work, 'dpgz')) / plainBytes)} of the uncompressed ${mib(plainBytes)}; level 1`],
        ['dualpipe backup --compress zstd', r2(dz.seconds), r2(dz.seconds / dp.seconds), `${mib(dirBytes(join(work, 'dpzst')))}, ${r2(dirBytes(join(work, 'dpzst')) / plainBytes)} of the uncompressed; level 1 (${zstdHow})`],
        mydzFailed
          ? [`mydumper -t ${threads} -c`, 'n/a', '', mydzFailed]
          : [`mydumper -t ${threads} -c`, r2(mydz.seconds), r2(mydz.seconds / dp.seconds), `gzip (Debian's mydumper 0.10 has no zstd); ${mib(dirBytes(mydzDir))}, ${r2(dirBytes(mydzDir) / dirBytes(mydDir))} of its uncompressed ${mib(dirBytes(mydDir))}; dualpipe zstd is ${r2(dz.seconds / mydz.seconds)}x its time`],
        ...levels.map((l) => [`zstd ${l.level} over the uncompressed chunks (level choice)`, r2(l.seconds), r2(l.seconds / dp.seconds), `${mib(l.bytes)}, ${r2(l.bytes / plainBytes)} of the uncompressed; one stream, one thread`]),
        ...unavailableAnchors(server.flavor, 4),
        ['dualpipe restore', r2(dr.seconds), '1.00', `peak RSS ${mb(dr.peakRssMb)}; hashes, checksums, FK check, atomic swap`],
        ['dualpipe restore (zstd backup)', r2(drz.seconds), r2(drz.seconds / dr.seconds), `peak RSS ${mb(drz.peakRssMb)}; chunks decompressed on the way (${zstdHow})`],
        ['dualpipe restore (encrypted backup)', r2(dre.seconds), r2(dre.seconds / dr.seconds), `peak RSS ${mb(dre.peakRssMb)}; every segment authenticated before it is loaded`],
        ['dualpipe restore --mode merge (one contact)', r2(mg.seconds), r2(mg.seconds / dr.seconds), `${merged} rows (contact, addresses, transactions, items, interactions) back; ${mgResult.keyIndex ? `read ${mgResult.chunksRead} of ${mgResult.chunksTotal} chunks (key ranges)${mgResult.bytesRead !== undefined ? `, ${(mgResult.bytesRead / 1e6).toFixed(2)} MB of them (blocks)` : ''}` : 'no key ranges: the whole backup is restored into a scratch schema first'}`],
        [`${clientName} client < dump (as InnoDB)`, r2(cl.seconds), r2(cl.seconds / dr.seconds), `no foreign keys, no checks${clNote}`],
        ml && !mlFailed
          ? [`myloader -t ${threads} (as InnoDB)`, r2(ml.seconds), r2(ml.seconds / dr.seconds), `no foreign keys, no checks${mlNote}`]
          : [`myloader -t ${threads} (as InnoDB)`, 'n/a', '', mlFailed ?? ''],
        ['server-side INSERT INTO innodb SELECT FROM myisam', r2(ss.seconds), r2(ss.seconds / dr.seconds), 'the limit on one server; FK checks off'],
      ],
      { server: version, flavor: server.flavor, dumpTool: server.tools.dumpVersion, scale, threads, rows: seeded.rows },
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
    await server.stop();
  }
}

if (existsSync('dist/bin/dualpipe.js')) await main();
else throw new Error('run `npm run build` first');
