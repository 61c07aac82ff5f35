/**
 * The unattended soak of issue #13: `dualpipe schedule` runs full syncs, incremental syncs,
 * verifies and backups every `--every` seconds (default 20) for `--minutes` (default 30) beside a
 * writer, while the server is frozen twice (SIGSTOP), killed twice (SIGKILL, then started again)
 * and the backup disk is filled once; a mirror row is also corrupted once, which the next verify
 * must catch. It then checks: no run ever hung (none stayed `running` past its bound), every fault
 * shows as a failed run in the history, in `status` and in the metrics, no verify cried drift
 * except for the corruption, every acknowledged write reached the mirrors, and the scheduler is
 * healthy and stops cleanly. Prints a table and saves it under bench/results/.
 *
 *   npm run build && node dist/bench/soak.js [--minutes 30] [--every 20] [--server mariadb|mysql]
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrate, seed } from '../schema/index.js';
import { createConnector } from '../src/db/mysql-driver.js';
import { freePort } from '../src/server/embedded-server.js';
import { checkAgainstModel, createMarker, runAckWriter, type WriterControl } from '../test/helpers/ack-writer.js';
import { arg, benchFlavor, saveResults } from './bench-util.js';
import { type Fault, historyCounts, type Observations, observe, runCli, scrape, soakFaults } from './soak-watch.js';
import { mountSoakDisk, startSoakServer } from './soak-faults.js';

const minutes = Number(arg('minutes', '30'));
/** VmRSS at fractions of the run, e.g. `10%: 210, 50%: 230, 100%: 240`. */
const rssAt = (samples: [number, number][], at: number[]) =>
  at.map((f) => `${Math.round(f * 100)}%: ${samples[Math.min(samples.length - 1, Math.floor(f * (samples.length - 1)))]?.[1] ?? '?'}`).join(', ');
const every = Number(arg('every', '20'));
const stallTimeout = Number(arg('stall-timeout', '15'));
const flavor = benchFlavor();

const server = await startSoakServer(flavor);
const disk = mountSoakDisk(server.dir, 96);
const url = `mysql://root@127.0.0.1:${server.port}/crm`;
const env = { DUALPIPE_STATE_DIR: join(server.dir, 'state') };
const cli = (args: string[], timeoutSec = 300) => runCli([...args, '--source', url], env, timeoutSec);
try {
  const target = { host: '127.0.0.1', port: server.port, user: 'root', database: 'crm' };
  await migrate(target);
  const source = createConnector(target);
  await seed(source, { scale: 0.02, seed: 7 });
  const setup = await source.connect();
  await createMarker(setup, 'crm');
  await setup.close();
  for (const step of [['sync'], ['capture', 'install']]) {
    const r = await cli(step);
    if (r.code !== 0) throw new Error(`setup ${step.join(' ')} failed: ${r.stderr}`);
  }

  // node-cron's six fields, seconds first: the four jobs a quarter of the period apart.
  const at = (offset: number) => `${offset}-59/${every} * * * * *`;
  const q = Math.max(1, Math.floor(every / 4));
  const config = join(server.dir, 'dualpipe.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      schedule: { sync: at(0), incremental: at(q), verify: at(2 * q), backup: at(3 * q) },
      backup: { to: disk.path, keepLast: 3, incompleteGraceHours: 0 },
    }),
  );
  const metricsPort = await freePort();
  const logFile = join(server.dir, 'schedule.log');
  const scheduler = spawn(
    process.execPath,
    ['dist/bin/dualpipe.js', 'schedule', '--source', url, '--config', config, '--metrics-listen', `127.0.0.1:${metricsPort}`, '--stall-timeout', `${stallTimeout}s`, '--log-file', logFile],
    { env: { ...process.env, ...env }, stdio: 'ignore' },
  );
  const control: WriterControl = { done: false };
  const writer = runAckWriter(source, 'crm', control, { pauseMs: 20 });

  const total = minutes * 60_000;
  const faults: Fault[] = soakFaults(server, disk, source, total);
  const obs: Observations = await observe({ server, source, scheduler, metricsPort, faults, totalMs: total, boundSeconds: stallTimeout * 4 + 60 });

  control.done = true;
  const written = await writer;
  const finalSync = await cli(['sync', '--wait-lock', '300']);
  const finalVerify = await cli(['verify', '--json', '--wait-lock', '300']); // verify's own wait is 30 s by default
  const check = await cli(['status', '--check', '--restore-test-age', 'off']);
  const conn = await createConnector({ ...target, database: 'crm_report' }).connect();
  const mirrored = await checkAgainstModel(conn, 'crm_report', written.model);
  const counts = await historyCounts(conn, 'crm_report');
  await conn.close();
  const finalMetrics = await scrape(metricsPort, '/metrics');
  const health = await scrape(metricsPort, '/healthz');
  const t0 = Date.now();
  scheduler.kill('SIGTERM');
  const exit = await new Promise<number | null>((res) => scheduler.once('exit', (code) => res(code)));
  const stopSeconds = (Date.now() - t0) / 1000;

  const rows: (string | number)[][] = [
    ['duration', `${minutes} min, jobs every ${every} s, --stall-timeout ${stallTimeout} s`, ''],
    ['faults injected', faults.map((f) => `${f.label} at ${Math.round(f.atMs / 1000)} s`).join('; '), disk.why ?? ''],
    ...counts.map((c) => [`runs: ${c.kind}`, `${c.succeeded} succeeded, ${c.failed} failed, ${c.aborted} aborted, ${c.running} still running`, '']),
    ['longest run seen running', `${obs.longestRunningSeconds.toFixed(0)} s`, `bound ${stallTimeout * 4 + 60} s: ${obs.longestRunningSeconds <= stallTimeout * 4 + 60 ? 'no hang' : 'HANG'}`],
    [
      'each fault seen: failed runs in history / in metrics',
      faults.filter((f) => f.label !== 'corrupt mirror row').map((f) => `${f.label}: ${f.failedRunsAfter ?? 0} / ${f.metricFailuresAfter ?? 0}`).join('; '),
      faults.filter((f) => f.label !== 'corrupt mirror row').every((f) => (f.failedRunsAfter ?? 0) > 0 && (f.metricFailuresAfter ?? 0) > 0) ? 'yes, every one in both' : 'NO',
    ],
    ['verify drift alarms', `${obs.driftAlarms} (1 expected: the corrupted mirror row)`, obs.driftAlarms === 1 ? 'no false alarm, real drift caught' : 'WRONG'],
    ['metrics scrapes', `${obs.scrapesOk} ok, ${obs.scrapesFailed} failed`, `failed scheduled runs counted: ${finalMetrics.failures}; stalls: ${finalMetrics.stalls}`],
    ['healthz at the end', `${health.status}`, health.body.slice(0, 80)],
    ['writer', `${written.acknowledged.insert + written.acknowledged.update + written.acknowledged.delete} acknowledged commits, ${written.reconnects} reconnects`, `mirrors after the final sync: ${mirrored.lost.length} lost, ${mirrored.unexpected.length} unexpected`],
    ['final sync / verify', `exit ${finalSync.code} / exit ${finalVerify.code}`, ''],
    ['status --check at the end', `exit ${check.code}`, check.stdout.trim().split('\n')[0]!.slice(0, 160)],
    ['scheduler', `alive all along: ${obs.schedulerAlive ? 'yes' : 'NO'}; SIGTERM → exit ${exit} in ${stopSeconds.toFixed(1)} s`, `peak RSS ${obs.schedulerPeakRssMb.toFixed(0)} MB`],
    ['scheduler RSS over time (MB)', rssAt(obs.rssSamples, [0.1, 0.25, 0.5, 0.75, 1]), 'a steady climb would be a leak'],
  ];
  saveResults(`soak-${flavor}`, `Soak: dualpipe schedule for ${minutes} min on ${flavor} ${server.version}`, ['what', 'measured', 'verdict'], rows, { server: `${flavor} ${server.version}`, obs, counts });
} finally {
  server.thaw();
  disk.unmount();
  await server.stop();
}
