/**
 * npm run bench:capture -- [--server mysql|mariadb] --scale N [--seconds S]
 * Change capture by triggers against binlog capture (#16), on one throwaway server with the binlog
 * on (ROW; MySQL with GTIDs) and the CRM seeded at scale N, in one run:
 * - a writer's commits/s for S seconds each with no capture, with binlog capture (nothing on the
 *   source: the binlog is on in every case), and with the capture triggers installed;
 * - per method, on a report schema of its own: a full sync (the reference), the first incremental
 *   after it, incrementals after 1% and 0.01% of the rows changed (bench/incremental-changes.ts:
 *   updates on every table, inserts, cascading deletes), and the steady state (two consecutive
 *   incrementals after one 1% change, together); every method's mirrors then checked by `verify`.
 */
import { migrate, seed } from '../schema/index.js';
import { createConnector } from '../src/db/mysql-driver.js';
import { installCapture, removeCapture } from '../sync/capture/capture.js';
import { writeCaptureMethod } from '../sync/capture/capture-method.js';
import { arg, benchServer, type LatencyStats, latencyLoop, runCommand, saveResults } from './bench-util.js';
import { changeShare } from './incremental-changes.js';

const scale = Number(arg('scale', '1'));
const seconds = Number(arg('seconds', '5'));
const r2 = (x: number) => x.toFixed(2);

/** The parts of `sync --json` the table notes. */
interface Outcome {
  fullSyncReason?: string;
  cost?: { keysApplied: number; rowsMoved: number; reportKeysFromLive?: number; primedShadow?: boolean };
  changes?: { rowsFromLive: number }[];
}

async function main(): Promise<void> {
  const server = await benchServer({ extraArgs: ['--log-bin=binlog', '--binlog-format=ROW', '--server-id=1'] });
  const target = { host: '127.0.0.1', port: server.port, user: 'root', database: 'crm' };
  const url = `mysql://root@127.0.0.1:${server.port}/crm`;
  const env = { env: { DUALPIPE_LOG_LEVEL: 'warn' }, stdout: true };
  const admin = await createConnector(target).connect({ database: null });
  let w: Awaited<ReturnType<ReturnType<typeof createConnector>['connect']>> | undefined;
  try {
    await migrate(target);
    await seed(createConnector(target), { scale, seed: 1, threads: 2 });
    w = await createConnector(target).connect();
    const wr = w;
    const maxContact = Number((await wr.query<{ m: number }>('SELECT MAX(id) AS m FROM contacts'))[0]!.m);
    let k = 0;
    const writeOp = async () => {
      k++;
      const id = (k * 7919) % maxContact || 1;
      await wr.execute('START TRANSACTION');
      await wr.execute(
        "INSERT INTO interactions (contact_id, channel, direction, subject, body, occurred_at) SELECT id, 'email', 'inbound', 'bench', 'bench body', NOW(6) FROM contacts WHERE id >= ? ORDER BY id LIMIT 1",
        [id],
      );
      await wr.execute('UPDATE contacts SET lead_score = lead_score + 1 WHERE id = ?', [id]);
      await wr.execute('COMMIT');
    };
    const commitsPerSecond = async (): Promise<LatencyStats & { perSecond: number }> => {
      const loop = latencyLoop(writeOp, 0);
      await new Promise((r) => setTimeout(r, seconds * 1000));
      const s = await loop.stop();
      return { ...s, perSecond: s.samples / seconds };
    };
    // Alternated twice so that a drift of the machine over time does not favour one case.
    const none: number[] = [];
    const trig: number[] = [];
    for (let round = 0; round < 2; round++) {
      none.push((await commitsPerSecond()).perSecond);
      await installCapture(wr, 'crm');
      trig.push((await commitsPerSecond()).perSecond);
      await removeCapture(wr, 'crm');
    }
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

    const rows: string[][] = [
      ['writer commits/s, no capture (binlog on)', r2(avg(none)), '', `${seconds} s × 2 rounds: ${none.map((x) => x.toFixed(0)).join(', ')}`],
      ['writer commits/s, binlog capture (nothing installed on the source)', r2(avg(none)), '1.00', 'binlog capture adds no work to a writer: the same server state as "no capture"'],
      ['writer commits/s, trigger capture', r2(avg(trig)), r2(avg(trig) / avg(none)), `ratio to no capture; rounds: ${trig.map((x) => x.toFixed(0)).join(', ')}`],
    ];
    for (const method of ['binlog', 'triggers'] as const) {
      const report = `crm_report_${method}`;
      const cli = ['dist/bin/dualpipe.js', 'sync', '--source', url, '--report-database', report, '--json'];
      if (method === 'triggers') await installCapture(wr, 'crm');
      else await writeCaptureMethod(admin, report, 'binlog');
      const run = async (args: string[], label: string) => {
        const r = await runCommand('node', args, env);
        if (r.code !== 0) throw new Error(`${label} failed: ${r.stderr}`);
        const out = JSON.parse(r.stdout) as Outcome;
        return { seconds: r.seconds, out };
      };
      const inc = [...cli, '--incremental'];
      const full = await run(cli, 'full sync');
      const first = await run(inc, 'first incremental');
      const ch1 = await changeShare(wr, 0.01, 0);
      const inc1 = await run(inc, 'incremental after 1%');
      const next = await run(inc, 'catch-up incremental');
      const ch001 = await changeShare(wr, 0.0001, 1);
      const inc001 = await run(inc, 'incremental after 0.01%');
      // A later full sync: under binlog capture it keeps the set it replaces as the shadow set.
      const full2 = await run(cli, 'second full sync');
      const first2 = await run(inc, 'first incremental after the second full sync');
      const verify = await runCommand('node', ['dist/bin/dualpipe.js', 'verify', '--source', url, '--report-database', report], env);
      const note = ({ out }: { out: Outcome }) => {
        if (out.fullSyncReason) return `ran as a full sync: ${out.fullSyncReason}`;
        const live = (out.changes ?? []).reduce((a, c) => a + c.rowsFromLive, 0);
        const copied = live || out.cost?.reportKeysFromLive ? ` (${live} rows and ${out.cost?.reportKeysFromLive ?? 0} report keys from the live set)` : '';
        return `${out.cost?.keysApplied ?? 0} keys applied, ${out.cost?.rowsMoved ?? 0} rows moved${copied}${out.cost?.primedShadow ? ', shadow set copied first' : ''}`;
      };
      const share = (s: number) => r2(s / full.seconds);
      rows.push(
        [`${method}: full sync (reference of the ratios below)`, r2(full.seconds), '1.00', ''],
        [`${method}: first incremental after the full sync`, r2(first.seconds), share(first.seconds), note(first)],
        [`${method}: incremental after 1% changed (${ch1.total} rows)`, r2(inc1.seconds), share(inc1.seconds), note(inc1)],
        [`${method}: steady state, two incrementals after one 1% change (together)`, r2(inc1.seconds + next.seconds), share(inc1.seconds + next.seconds), `second: ${note(next)}`],
        [`${method}: incremental after 0.01% changed (${ch001.total} rows)`, r2(inc001.seconds), share(inc001.seconds), note(inc001)],
        [`${method}: a later full sync (reference of the row below)`, r2(full2.seconds), '1.00', ''],
        [`${method}: first incremental after a later full sync`, r2(first2.seconds), r2(first2.seconds / full2.seconds), `${note(first2)}; verify: ${verify.code === 0 ? 'mirrors match' : `exit ${verify.code}`}`],
      );
      if (method === 'triggers') await removeCapture(wr, 'crm');
    }
    const file = saveResults(
      `capture-${server.flavor}`,
      `Change capture: triggers vs binlog (scale ${scale}, ${server.flavor} ${server.version})`,
      ['what', 'seconds or commits/s', 'ratio', 'notes'],
      rows,
      { server: `${server.flavor} ${server.version}`, scale },
    );
    console.log(file);
  } finally {
    await w?.close();
    await admin.close();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
