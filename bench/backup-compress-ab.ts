/**
 * node dist/bench/backup-compress-ab.js [--server mysql|mariadb] --scale N [--rounds R] [--threads T]
 * Interleaved A/B of backup compression on one throwaway server and the same MyISAM mirrors: each
 * round runs dualpipe backup --compress none, gzip and zstd and mydumper -t T -c (gzip: Debian's
 * mydumper 0.10 has no zstd) in a rotated order, then restores the none and the zstd backup; the
 * table gives medians, so load from other work on a shared machine falls on all of them alike.
 */
import { readdirSync, rmSync, mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, seed } from '../schema/index.js';
import { createConnector } from '../src/db/mysql-driver.js';
import { systemZstdProbe } from '../backup/format/chunk-compression.js';
import { arg, benchServer, dirBytes, median, runCommand, saveResults } from './bench-util.js';

const scale = Number(arg('scale', '0.25'));
const rounds = Number(arg('rounds', '3'));
const threads = arg('threads', '2');

async function main(): Promise<void> {
  const server = await benchServer();
  const url = `mysql://root@127.0.0.1:${server.port}/crm`;
  const target = { host: '127.0.0.1', port: server.port, user: 'root', database: 'crm' };
  const node = (args: string[]) => runCommand('node', ['dist/bin/dualpipe.js', ...args, '--source', url], { env: { DUALPIPE_LOG_LEVEL: 'warn' }, stdout: true });
  const work = mkdtempSync(join(tmpdir(), 'dualpipe-bench-compress-'));
  try {
    await migrate(target);
    const seeded = await seed(createConnector(target), { scale, seed: 1, threads: 2 });
    if ((await node(['sync'])).code !== 0) throw new Error('sync failed');
    const admin = await createConnector(target).connect({ database: null });
    const version = (await admin.query<{ v: string }>('SELECT VERSION() AS v'))[0]!.v;
    const names = (await admin.query<{ n: string }>("SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'crm_report' AND ENGINE = 'MyISAM' AND TABLE_NAME NOT LIKE 'rpt\\_%' AND TABLE_NAME NOT LIKE '\\_%'")).map((r) => r.n);
    const kinds = ['none', 'gzip', 'zstd', 'mydumper -c'] as const;
    const seconds = new Map<string, number[]>(kinds.map((k) => [k, []]));
    const bytes = new Map<string, number>();
    const restores = { none: [] as number[], zstd: [] as number[] };
    for (let r = 0; r < rounds; r++) {
      const order = kinds.map((_k, i) => kinds[(i + r) % kinds.length]!);
      for (const k of order) {
        const dir = join(work, `${k.replace(/\W/g, '')}-${r}`);
        const run =
          k === 'mydumper -c'
            ? await runCommand('mydumper', ['-h', '127.0.0.1', '-P', String(server.port), '-u', 'root', '-t', threads, '-B', 'crm_report', '-T', names.join(','), '-r', '100000', '-c', '-o', dir])
            : await node(['backup', '--to', dir, '--create-dirs', '--compress', k, '--threads', threads]);
        if (run.code !== 0) throw new Error(`${k} failed: ${run.stderr}`);
        seconds.get(k)!.push(run.seconds);
        bytes.set(k, dirBytes(dir));
      }
      for (const k of r % 2 ? (['zstd', 'none'] as const) : (['none', 'zstd'] as const)) {
        const from = join(work, `${k}-${r}`);
        const res = await node(['restore', '--from', join(from, readdirSync(from)[0]!), '--into', `crm_r_${k}_${r}`, '--threads', threads, '--yes']);
        if (res.code !== 0) throw new Error(`restore ${k} failed: ${res.stderr}`);
        restores[k].push(res.seconds);
      }
      for (const k of kinds) if (k !== 'none' && k !== 'zstd') rmSync(join(work, `${k.replace(/\W/g, '')}-${r}`), { recursive: true, force: true });
    }
    await admin.close();
    const plain = median(seconds.get('none')!);
    const plainBytes = bytes.get('none')!;
    const r2 = (x: number) => x.toFixed(2);
    const mib = (x: number) => `${(x / 1024 / 1024).toFixed(1)} MiB`;
    const how = systemZstdProbe.zlib() ? "Node's zlib" : 'the zstd command';
    const all = (k: string) => seconds.get(k)!.map(r2).join(', ');
    saveResults(
      `backup-compress-ab-${server.flavor}`,
      `backup compression A/B on ${server.flavor === 'mysql' ? 'MySQL' : 'MariaDB'} ${version} at scale ${scale} (${seeded.rows} rows, ${threads} threads, ${rounds} interleaved rounds, medians)`,
      ['what', 'seconds', 'ratio', 'bytes', 'notes'],
      [
        ['dualpipe backup --compress none', r2(plain), '1.00', mib(plainBytes), `rounds: ${all('none')}`],
        ['dualpipe backup --compress gzip', r2(median(seconds.get('gzip')!)), r2(median(seconds.get('gzip')!) / plain), `${mib(bytes.get('gzip')!)} (${r2(bytes.get('gzip')! / plainBytes)})`, `level 1; rounds: ${all('gzip')}`],
        ['dualpipe backup --compress zstd', r2(median(seconds.get('zstd')!)), r2(median(seconds.get('zstd')!) / plain), `${mib(bytes.get('zstd')!)} (${r2(bytes.get('zstd')! / plainBytes)})`, `level 1, ${how}; rounds: ${all('zstd')}`],
        [`mydumper -t ${threads} -c`, r2(median(seconds.get('mydumper -c')!)), r2(median(seconds.get('mydumper -c')!) / plain), mib(bytes.get('mydumper -c')!), `gzip (Debian's mydumper 0.10 has no zstd); rounds: ${all('mydumper -c')}`],
        ['dualpipe restore (none)', r2(median(restores.none)), '1.00', '', `rounds: ${restores.none.map(r2).join(', ')}`],
        ['dualpipe restore (zstd)', r2(median(restores.zstd)), r2(median(restores.zstd) / median(restores.none)), '', `${how}; rounds: ${restores.zstd.map(r2).join(', ')}`],
      ],
      { server: version, flavor: server.flavor, scale, threads, rounds, rows: seeded.rows },
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
    await server.stop();
  }
}

if (existsSync('dist/bin/dualpipe.js')) await main();
else throw new Error('run `npm run build` first');
