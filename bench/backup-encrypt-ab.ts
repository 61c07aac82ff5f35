/**
 * node dist/bench/backup-encrypt-ab.js [--server mysql|mariadb] --scale N [--rounds R] [--threads T] [--before PATH/dualpipe.js]
 * What encryption costs a backup (#19: <= 1.15x the plain backup). On one throwaway server and the
 * same MyISAM mirrors, each round runs a plain and an encrypted `backup --compress none` (in
 * rotated order, so load from other work falls on both alike) with this build, and with another
 * build given by --before (an A/B of a change); the table gives medians and encrypted / plain.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeNewKey } from '../backup/format/backup-key.js';
import { migrate, seed } from '../schema/index.js';
import { createConnector } from '../src/db/mysql-driver.js';
import { arg, benchServer, median, runCommand, saveResults } from './bench-util.js';

const scale = Number(arg('scale', '1'));
const rounds = Number(arg('rounds', '3'));
const threads = arg('threads', '2');
const before = arg('before', '');

async function main(): Promise<void> {
  const server = await benchServer();
  const url = `mysql://root@127.0.0.1:${server.port}/crm`;
  const target = { host: '127.0.0.1', port: server.port, user: 'root', database: 'crm' };
  const work = mkdtempSync(join(tmpdir(), 'dualpipe-bench-encab-'));
  const builds = [['this build', 'dist/bin/dualpipe.js'], ...(before ? [['before', before]] : [])] as const;
  try {
    await migrate(target);
    const seeded = await seed(createConnector(target), { scale, seed: 1, threads: 2 });
    const run = (bin: string, args: string[]) => runCommand('node', [bin, ...args, '--source', url], { env: { DUALPIPE_LOG_LEVEL: 'warn' } });
    const synced = await run('dist/bin/dualpipe.js', ['sync']);
    if (synced.code !== 0) throw new Error(`sync failed: ${synced.stderr}`);
    const key = join(work, 'backup.key');
    await writeNewKey(key);
    const times = new Map<string, number[]>();
    const cpu = new Map<string, number[]>();
    let n = 0;
    for (let r = 0; r < rounds; r++) {
      const jobs = builds.flatMap(([name, bin]) => [
        [`${name}, plain`, bin, [] as string[]],
        [`${name}, encrypted`, bin, ['--encrypt-key-file', key]],
      ] as const);
      for (let j = 0; j < jobs.length; j++) {
        const [label, bin, extra] = jobs[(j + r) % jobs.length]!;
        const dir = join(work, `b${n++}`);
        const b = await run(bin, ['backup', '--to', dir, '--create-dirs', '--compress', 'none', '--threads', threads, ...extra]);
        if (b.code !== 0) throw new Error(`${label} backup failed: ${b.stderr}`);
        times.set(label, [...(times.get(label) ?? []), b.seconds]);
        cpu.set(label, [...(cpu.get(label) ?? []), b.cpuSeconds]);
        rmSync(dir, { recursive: true, force: true });
      }
    }
    // Each round's own ratio as well: on a shared machine the speed drifts between rounds more than
    // between the two backups of one round. CPU seconds (user + system of the dualpipe process) do
    // not count the time other guests take from this one.
    const rows = builds.flatMap(([name]) => {
      const t = (kind: string) => times.get(`${name}, ${kind}`)!;
      const c = (kind: string) => cpu.get(`${name}, ${kind}`)!;
      const perRound = t('encrypted').map((e, i) => e / t('plain')[i]!);
      const cpuRatio = median(c('encrypted')) / median(c('plain'));
      return [
        [`${name}: backup`, median(t('plain')).toFixed(2), '1.00', '', median(c('plain')).toFixed(2), '1.00'],
        [`${name}: backup --encrypt-key-file`, median(t('encrypted')).toFixed(2), (median(t('encrypted')) / median(t('plain'))).toFixed(2), median(perRound).toFixed(2), median(c('encrypted')).toFixed(2), cpuRatio.toFixed(2)],
      ];
    });
    saveResults(
      `backup-encrypt-ab-${server.flavor}`,
      `bench: encrypted / plain backup on ${server.flavor === 'mysql' ? 'MySQL' : 'MariaDB'} ${server.version} at scale ${scale} (${seeded.rows} rows, ${threads} threads, uncompressed, median of ${rounds} rounds, rotated order)`,
      ['what', 'median seconds', 'encrypted / plain', 'median of per-round ratios', 'median CPU seconds', 'CPU encrypted / plain'],
      rows,
      { server: server.version, flavor: server.flavor, scale, rounds, threads, before: before || undefined, times: Object.fromEntries(times), cpuSeconds: Object.fromEntries(cpu) },
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
    await server.stop();
  }
}

await main();
