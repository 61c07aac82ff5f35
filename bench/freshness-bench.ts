/**
 * npm run bench:freshness -- [--server mysql|mariadb] --scale N [--seconds S] [--every 5s] [--rate 250]
 * Continuous mode (#16): how far behind the source the mirrors are while a writer commits. One
 * throwaway server with the binlog on, the CRM seeded at scale N and a small `fresh_markers` table;
 * per capture method (its own report schema): a full sync and an incremental one, then `dualpipe schedule
 * --incremental-every` running while a writer commits at --rate per second for S seconds (each commit:
 * a marker row and a contact's lead score, like the capture bench's writer). A poller reads the
 * mirror's newest marker every 100 ms: a marker's lag is the first poll that sees it minus its
 * commit (client side, after COMMIT returned). Reported: commits/s, p50/p95/max lag, and the runs
 * and idle checks the scheduler counted.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { migrate, seed } from '../schema/index.js';
import { createConnector } from '../src/db/mysql-driver.js';
import { qualify } from '../src/db/quote.js';
import { installCapture, removeCapture } from '../sync/capture/capture.js';
import { writeCaptureMethod } from '../sync/capture/capture-method.js';
import { arg, benchServer, runCommand, saveResults } from './bench-util.js';

const scale = Number(arg('scale', '1'));
const seconds = Number(arg('seconds', '60'));
const every = arg('every', '5s');
/** The writer's pace: commits per second (the figure is at ≥ 200). */
const rate = Number(arg('rate', '250'));
const r2 = (x: number) => x.toFixed(2);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))] ?? NaN;
};

async function main(): Promise<void> {
  const server = await benchServer({ extraArgs: ['--log-bin=binlog', '--binlog-format=ROW', '--server-id=1'] });
  const target = { host: '127.0.0.1', port: server.port, user: 'root', database: 'crm' };
  const url = `mysql://root@127.0.0.1:${server.port}/crm`;
  const admin = await createConnector(target).connect({ database: null });
  const rows: string[][] = [];
  try {
    await migrate(target);
    await seed(createConnector(target), { scale, seed: 1, threads: 2 });
    await admin.execute('CREATE TABLE crm.fresh_markers (id BIGINT AUTO_INCREMENT PRIMARY KEY, at DATETIME(6) NOT NULL) ENGINE=InnoDB');
    const maxContact = Number((await admin.query<{ m: number }>('SELECT MAX(id) AS m FROM crm.contacts'))[0]!.m);
    for (const method of ['binlog', 'triggers'] as const) {
      const report = `crm_report_${method}`;
      if (method === 'triggers') await installCapture(admin, 'crm');
      else await writeCaptureMethod(admin, report, 'binlog');
      const cli = ['dist/bin/dualpipe.js', '--source', url, '--report-database', report];
      // A full sync, then one incremental run: the shadow set is ready and the loop starts at its
      // steady state (the first run after a full sync is measured by the capture bench).
      for (const extra of [[], ['--incremental']]) {
        const r = await runCommand('node', [cli[0]!, 'sync', ...extra, ...cli.slice(1)], { env: { DUALPIPE_LOG_LEVEL: 'warn' } });
        if (r.code !== 0) throw new Error(`sync ${extra.join(' ')} failed: ${r.stderr}`);
      }
      const child: ChildProcess = spawn(process.execPath, [cli[0]!, 'schedule', '--incremental-every', every, '--json', ...cli.slice(1)], {
        env: { ...process.env, DUALPIPE_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
      await sleep(2000);

      const committed = new Map<number, number>();
      const lags: number[] = [];
      const w = await createConnector(target).connect();
      const reader = await createConnector(target).connect({ database: null });
      let writing = true;
      const writer = (async () => {
        let k = 0;
        const start = Date.now();
        while (writing) {
          k++;
          const due = start + (k * 1000) / rate;
          if (due > Date.now()) await sleep(due - Date.now());
          await w.execute('START TRANSACTION');
          const ins = await w.execute('INSERT INTO fresh_markers (at) VALUES (NOW(6))');
          await w.execute('UPDATE contacts SET lead_score = lead_score + 1 WHERE id = ?', [(k * 7919) % maxContact || 1]);
          await w.execute('COMMIT');
          committed.set(ins.insertId, Date.now());
        }
      })();
      let seen = 0;
      const t0 = Date.now();
      const mirror = qualify(report, 'fresh_markers');
      const poll = async () => {
        const m = Number((await reader.query<{ m: number | null }>(`SELECT MAX(id) AS m FROM ${mirror}`))[0]?.m ?? 0);
        const now = Date.now();
        for (let id = seen + 1; id <= m; id++) {
          const at = committed.get(id);
          if (at !== undefined) lags.push((now - at) / 1000);
          committed.delete(id);
        }
        seen = Math.max(seen, m);
      };
      while (Date.now() - t0 < seconds * 1000) {
        await poll().catch(() => {}); // the mirror is swapped under the poller now and then
        await sleep(100);
      }
      writing = false;
      await writer;
      const commits = lags.length + committed.size;
      // After the writer stops: the markers left are published by the next runs (counted too).
      const drainStart = Date.now();
      while (committed.size && Date.now() - drainStart < 120_000) {
        await poll().catch(() => {});
        await sleep(100);
      }
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => child.once('exit', r));
      const stats = JSON.parse(out || '{}') as { runs?: number; idle?: number; failures?: number };
      await w.close();
      await reader.close();
      if (code !== 0) throw new Error(`schedule exited ${code}: ${err}`);
      rows.push(
        [`${method}: writer commits/s`, r2(commits / seconds), '', `${commits} commits in ${seconds} s, every commit a marker`],
        [`${method}: lag p50 (s)`, r2(pct(lags, 50)), '', `--incremental-every ${every}`],
        [`${method}: lag p95 (s)`, r2(pct(lags, 95)), 'goal ≤ 10', pct(lags, 95) <= 10 ? 'met' : 'NOT met'],
        [`${method}: lag max (s)`, r2(Math.max(...lags)), '', `${committed.size} marker(s) never seen`],
        [`${method}: scheduler`, String(stats.runs ?? '?'), '', `runs; ${stats.idle ?? '?'} idle checks, ${stats.failures ?? '?'} failures`],
      );
      if (method === 'triggers') await removeCapture(admin, 'crm');
    }
    const file = saveResults(
      `freshness-${server.flavor}`,
      `Continuous mode: lag from a commit to the mirrors (scale ${scale}, ${server.flavor} ${server.version})`,
      ['what', 'value', 'goal', 'notes'],
      rows,
      { server: `${server.flavor} ${server.version}`, scale, every },
    );
    console.log(file);
  } finally {
    await admin.close();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
