/**
 * What the soak (bench/soak.ts) does while `dualpipe schedule` runs: fires the faults on their
 * timeline, and every few seconds looks at the scheduler from outside (is it alive, does its
 * metrics endpoint answer, has any run stayed `running` longer than its bound) on short-lived
 * sessions that give up quickly, since the server is sometimes frozen or dead.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SqlConnection, SqlConnector } from '../src/db/connection.js';
import type { SoakDisk, SoakServer } from './soak-faults.js';

/** A fault on the timeline, and how many failed runs followed it (filled in by `observe`). */
export interface Fault {
  label: string;
  atMs: number;
  inject: () => Promise<void>;
  failedRunsAfter?: number;
  /** Failed scheduled runs the metrics counted between the fault and its check. */
  metricFailuresAfter?: number;
}

/** What `observe` saw. */
export interface Observations {
  longestRunningSeconds: number;
  driftAlarms: number;
  scrapesOk: number;
  scrapesFailed: number;
  schedulerAlive: boolean;
  schedulerPeakRssMb: number;
  /** The scheduler's resident size (VmRSS, MB) sampled every few seconds, with the seconds since the start. */
  rssSamples: [number, number][];
}

/** Runs the built CLI; resolves with its exit code and output (killed after `timeoutSec`). */
export function runCli(args: string[], env: Record<string, string>, timeoutSec: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, ['dist/bin/dualpipe.js', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutSec * 1000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      res({ code, stdout, stderr });
    });
  });
}

/** GETs a path of the metrics endpoint (3 s limit); `failures` sums the `*_failures_total`-like samples. */
export function scrape(port: number, path: string): Promise<{ status: number; body: string; failures: number; stalls: number }> {
  return new Promise((res) => {
    const req = get({ host: '127.0.0.1', port, path, timeout: 3000 }, (r) => {
      let body = '';
      r.on('data', (d: Buffer) => (body += d.toString()));
      r.on('end', () => {
        let failures = 0;
        let stalls = 0;
        for (const line of body.split('\n')) {
          const m = /^(dualpipe_job_runs_total|dualpipe_run_stalls_total)\{([^}]*)\} (\S+)$/.exec(line);
          if (m?.[1] === 'dualpipe_job_runs_total' && m[2]!.includes('outcome="failed"')) failures += Number(m[3]);
          if (m?.[1] === 'dualpipe_run_stalls_total') stalls += Number(m[3]);
        }
        res({ status: r.statusCode ?? 0, body, failures, stalls });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => res({ status: 0, body: '', failures: 0, stalls: 0 }));
  });
}

/** A scrape of /metrics that answered (up to five tries a second apart): a lost scrape is not a count of 0. */
async function scrapeOk(port: number): Promise<{ failures: number }> {
  for (let i = 0; ; i++) {
    const r = await scrape(port, '/metrics');
    if (r.status === 200 || i >= 4) return r;
    await sleep(1000);
  }
}

/** Runs `f` on a fresh session, giving up after `ms` (the server may be frozen). */
async function briefly<T>(source: SqlConnector, ms: number, f: (c: SqlConnection) => Promise<T>): Promise<T | undefined> {
  let conn: SqlConnection | undefined;
  const work = (async () => {
    conn = await source.connect({ database: null });
    return f(conn);
  })();
  const timeout = sleep(ms).then(() => undefined);
  const out = await Promise.race([work.catch(() => undefined), timeout]);
  if (conn) conn.destroy();
  work.catch(() => {});
  return out;
}

/** The faults of the soak, spread over `totalMs`: two freezes, two kills, a full disk and a corrupted mirror row. */
export function soakFaults(server: SoakServer, disk: SoakDisk, source: SqlConnector, totalMs: number): Fault[] {
  const hold = Math.min(45_000, totalMs / 20);
  const freeze = async () => {
    server.freeze();
    await sleep(hold);
    server.thaw();
  };
  const kill = async () => {
    await server.kill();
    await sleep(hold / 3);
    await server.restart();
  };
  const fill = async () => {
    disk.fill();
    await sleep(hold * 1.5);
    disk.empty();
  };
  const corrupt = async () => {
    // A key the writer never touches (its ids start at 50 000 000), changed behind dualpipe's back
    // just after a full sync finished, so the verify that follows it sees it before the next full
    // sync rebuilds the mirror: it must call it drift.
    const lastFull = async () =>
      Number((await briefly(source, 5000, (c) => c.query<{ id: number | null }>("SELECT MAX(id) AS id FROM crm_report._dualpipe_runs WHERE kind = 'sync' AND strategy <> 'incremental' AND status = 'succeeded'")))?.[0]?.id ?? 0);
    const seen = await lastFull();
    for (let i = 0; i < 600 && (await lastFull()) === seen; i++) await sleep(200);
    await briefly(source, 10_000, (c) => c.execute('UPDATE crm_report.contacts SET last_name = CONCAT(last_name, ?) WHERE id = (SELECT MIN(id) FROM crm.contacts)', ['·soak']));
  };
  return [
    { label: 'freeze 1', atMs: totalMs * 0.12, inject: freeze },
    { label: 'kill 1', atMs: totalMs * 0.27, inject: kill },
    { label: 'disk full', atMs: totalMs * 0.42, inject: fill },
    { label: 'freeze 2', atMs: totalMs * 0.57, inject: freeze },
    { label: 'kill 2', atMs: totalMs * 0.72, inject: kill },
    { label: 'corrupt mirror row', atMs: totalMs * 0.87, inject: corrupt },
  ];
}

interface ObserveOptions {
  server: SoakServer;
  source: SqlConnector;
  scheduler: ChildProcess;
  metricsPort: number;
  faults: Fault[];
  totalMs: number;
  /** A run `running` for longer than this is a hang. */
  boundSeconds: number;
}

const maxId = (c: SqlConnection) => c.query<{ id: number | null }>('SELECT MAX(id) AS id FROM crm_report._dualpipe_runs').then((r) => Number(r[0]?.id ?? 0));

/** Fires the faults and watches until `totalMs` has passed. */
export async function observe(o: ObserveOptions): Promise<Observations> {
  const obs: Observations = { longestRunningSeconds: 0, driftAlarms: 0, scrapesOk: 0, scrapesFailed: 0, schedulerAlive: true, schedulerPeakRssMb: 0, rssSamples: [] };
  const t0 = Date.now();
  const pending = [...o.faults];
  const fired: Promise<void>[] = [];
  while (Date.now() - t0 < o.totalMs) {
    const next = pending[0];
    if (next && Date.now() - t0 >= next.atMs) {
      pending.shift();
      fired.push(
        (async () => {
          const before = (await briefly(o.source, 5000, maxId)) ?? 0;
          const metricsBefore = (await scrapeOk(o.metricsPort)).failures;
          await next.inject();
          // Failed runs that started after the fault began, counted once the server has had time to recover.
          await sleep(Math.min(60_000, o.totalMs / 15));
          const failed = await briefly(o.source, 5000, (c) =>
            c.query<{ n: number }>("SELECT COUNT(*) AS n FROM crm_report._dualpipe_runs WHERE id > ? AND status IN ('failed', 'aborted')", [before]),
          );
          next.failedRunsAfter = Number(failed?.[0]?.n ?? 0);
          next.metricFailuresAfter = (await scrapeOk(o.metricsPort)).failures - metricsBefore;
        })(),
      );
    }
    const running = await briefly(o.source, 3000, (c) =>
      c.query<{ s: number | null }>("SELECT MAX(TIMESTAMPDIFF(SECOND, started_at, UTC_TIMESTAMP())) AS s FROM crm_report._dualpipe_runs WHERE status = 'running'"),
    );
    obs.longestRunningSeconds = Math.max(obs.longestRunningSeconds, Number(running?.[0]?.s ?? 0));
    const m = await scrape(o.metricsPort, '/metrics');
    if (m.status === 200) obs.scrapesOk++;
    else obs.scrapesFailed++;
    if (o.scheduler.exitCode !== null) obs.schedulerAlive = false;
    try {
      const status = readFileSync(`/proc/${o.scheduler.pid}/status`, 'utf8');
      const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
      if (hwm) obs.schedulerPeakRssMb = Math.max(obs.schedulerPeakRssMb, Number(hwm[1]) / 1024);
      const rss = /VmRSS:\s+(\d+) kB/.exec(status);
      if (rss) obs.rssSamples.push([Math.round((Date.now() - t0) / 1000), Math.round(Number(rss[1]) / 1024)]);
    } catch {
      obs.schedulerAlive = false;
    }
    await sleep(5000);
  }
  await Promise.all(fired);
  const drift = await briefly(o.source, 10_000, (c) =>
    c.query<{ n: number }>("SELECT COUNT(*) AS n FROM crm_report._dualpipe_runs WHERE kind = 'verify' AND error LIKE '%drift%'"),
  );
  obs.driftAlarms = Number(drift?.[0]?.n ?? -1);
  return obs;
}

/** Runs of each kind by outcome, over the whole history. */
export async function historyCounts(conn: SqlConnection, schema: string): Promise<{ kind: string; succeeded: number; failed: number; aborted: number; running: number }[]> {
  const rows = await conn.query<{ kind: string; status: string; n: number }>(
    `SELECT CONCAT(kind, IF(strategy = 'incremental', ' (incremental)', '')) AS kind, status, COUNT(*) AS n FROM \`${schema}\`._dualpipe_runs GROUP BY 1, status ORDER BY 1`,
  );
  const byKind = new Map<string, { kind: string; succeeded: number; failed: number; aborted: number; running: number }>();
  for (const r of rows) {
    const k = byKind.get(r.kind) ?? { kind: r.kind, succeeded: 0, failed: 0, aborted: 0, running: 0 };
    if (r.status in k) (k as unknown as Record<string, number>)[r.status] = Number(r.n);
    byKind.set(r.kind, k);
  }
  return [...byKind.values()];
}
