/**
 * node dist/bench/blockz-ab.js --before DIR [--after-seq DIR] [--compress gzip,zstd] [--server mysql|mariadb] --scale N [--rounds R]
 * Interleaved A/B of `backup --compress gzip` (and zstd) (seconds, size) and a merge of one contact from
 * it (seconds, bytes read), between builds of dualpipe: this checkout ("after": a gzip member per
 * block, PACK_AHEAD blocks compressed at once), DIR ("before": one gzip stream per chunk) and
 * optionally a build of "after" with one block compressed at a time. Medians over rotated rounds.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, seed } from '../schema/index.js';
import { createConnector } from '../src/db/mysql-driver.js';
import { arg, benchServer, dirBytes, median, runCommand, saveResults } from './bench-util.js';

const scale = Number(arg('scale', '0.25'));
const rounds = Number(arg('rounds', '3'));
const builds: Record<string, string> = { before: arg('before', ''), after: '.' };
if (arg('after-seq', '')) builds['after, 1 block at a time'] = arg('after-seq', '');
const kinds = arg('compress', 'gzip').split(',');
/** Every build with every compression (the one-block-at-a-time build only matters for gzip). */
const variants = kinds.flatMap((c) => Object.keys(builds).filter((b) => c === 'gzip' || !b.includes('1 block')).map((b) => ({ name: `${b} (${c})`, build: builds[b]!, compress: c })));

async function main(): Promise<void> {
  const server = await benchServer();
  const url = `mysql://root@127.0.0.1:${server.port}/crm`;
  const target = { host: '127.0.0.1', port: server.port, user: 'root', database: 'crm' };
  const node = (build: string, args: string[]) => runCommand('node', [join(build, 'dist/bin/dualpipe.js'), ...args, '--source', url], { env: { DUALPIPE_LOG_LEVEL: 'warn' }, stdout: true });
  const work = mkdtempSync(join(tmpdir(), 'dualpipe-bench-blockz-'));
  try {
    await migrate(target);
    const seeded = await seed(createConnector(target), { scale, seed: 1, threads: 2 });
    if ((await node('.', ['sync'])).code !== 0) throw new Error('sync failed');
    const admin = await createConnector(target).connect({ database: null });
    const version = (await admin.query<{ v: string }>('SELECT VERSION() AS v'))[0]!.v;
    const ids = (await admin.query<{ id: number }>('SELECT id FROM crm.contacts ORDER BY id')).map((r) => Number(r.id));
    const victim = ids[ids.length >> 1]!;
    const count = async () => Number((await admin.query<{ n: number }>(`SELECT (SELECT COUNT(*) FROM crm.interactions WHERE contact_id = ${victim}) + (SELECT COUNT(*) FROM crm.transactions WHERE contact_id = ${victim}) AS n`))[0]!.n);
    const names = variants.map((v) => v.name);
    const m = new Map(names.map((k) => [k, { backup: [] as number[], bytes: 0, merge: [] as number[], read: 0 }]));
    for (let r = 0; r < rounds; r++) {
      for (const k of names.map((_k, i) => names[(i + r) % names.length]!)) {
        const dir = join(work, `${k.replace(/\W/g, '')}-${r}`);
        const v = variants.find((x) => x.name === k)!;
        const b = await node(v.build, ['backup', '--to', dir, '--create-dirs', '--compress', v.compress, '--threads', '2']);
        if (b.code !== 0) throw new Error(`${k} backup failed: ${b.stderr}`);
        const s = m.get(k)!;
        s.backup.push(b.seconds);
        s.bytes = dirBytes(dir);
        const before = await count();
        await admin.execute(`DELETE FROM crm.contacts WHERE id = ${victim}`);
        const mg = await node(v.build, ['restore', '--from', join(dir, readdirSync(dir)[0]!), '--mode', 'merge', '--where', `contacts.id = ${victim}`, '--threads', '2', '--json']);
        if (mg.code !== 0) throw new Error(`${k} merge failed: ${mg.stderr}`);
        if ((await count()) !== before) throw new Error(`${k} merge brought back ${await count()} of ${before}`);
        s.merge.push(mg.seconds);
        s.read = (JSON.parse(mg.stdout) as { bytesRead?: number }).bytesRead ?? -1;
        rmSync(dir, { recursive: true, force: true });
      }
    }
    await admin.close();
    const r2 = (x: number) => x.toFixed(2);
    const mb = (x: number) => `${(x / 1e6).toFixed(2)} MB`;
    saveResults(
      `blockz-ab-${server.flavor}`,
      `member/frame per block A/B on ${server.flavor === 'mysql' ? 'MySQL' : 'MariaDB'} ${version} at scale ${scale} (${seeded.rows} rows, 2 threads, ${rounds} interleaved rounds, medians)`,
      ['build (compression)', 'backup s', 'backup size', 'merge of one contact s', 'merge bytes read', 'rounds (backup; merge)'],
      names.map((k) => {
        const s = m.get(k)!;
        return [k, r2(median(s.backup)), mb(s.bytes), r2(median(s.merge)), mb(s.read), `${s.backup.map(r2).join(', ')}; ${s.merge.map(r2).join(', ')}`];
      }),
      { server: version, flavor: server.flavor, scale, rounds, rows: seeded.rows, victim },
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
    await server.stop();
  }
}

if (existsSync('dist/bin/dualpipe.js')) await main();
else throw new Error('run `npm run build` first');
