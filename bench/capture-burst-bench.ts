/**
 * npm run build && node dist/bench/capture-burst-bench.js [--server mysql|mariadb] [--scale N] [--rows R]
 * Peak memory of binlog capture during a burst (#16): the CRM seeded at scale N on a throwaway
 * server with the binlog on, a full sync and a first incremental, then one statement that changes R
 * rows of transaction_items (default 1,000,000, or all it has) in one transaction, and the
 * incremental run after it, whose peak RSS (VmHWM of the whole `dualpipe sync` process, sampled)
 * is what the reader costs. The reference: the same process after a quiet interval (a few rows).
 */
import { migrate, seed } from '../schema/index.js';
import { createConnector } from '../src/db/mysql-driver.js';
import { writeCaptureMethod } from '../sync/capture/capture-method.js';
import { arg, benchServer, runCommand, saveResults } from './bench-util.js';

const scale = Number(arg('scale', '1'));
const burst = Number(arg('rows', '1000000'));

async function main(): Promise<void> {
  const server = await benchServer({ extraArgs: ['--log-bin=binlog', '--binlog-format=ROW', '--server-id=1'] });
  const target = { host: '127.0.0.1', port: server.port, user: 'root', database: 'crm' };
  const url = `mysql://root@127.0.0.1:${server.port}/crm`;
  const admin = await createConnector(target).connect({ database: null });
  try {
    await migrate(target);
    await seed(createConnector(target), { scale, seed: 1, threads: 2 });
    await writeCaptureMethod(admin, 'crm_report', 'binlog');
    const cli = ['dist/bin/dualpipe.js', 'sync', '--source', url, '--report-database', 'crm_report', '--json'];
    const run = async (args: string[], label: string) => {
      const r = await runCommand('node', args, { env: { DUALPIPE_LOG_LEVEL: 'warn' }, stdout: true });
      if (r.code !== 0) throw new Error(`${label} failed: ${r.stderr}`);
      const out = JSON.parse(r.stdout) as { fullSyncReason?: string; cost?: { changeLogRows: number; keysApplied: number } };
      const how = out.fullSyncReason ? `ran as a full sync: ${out.fullSyncReason}` : `${out.cost?.changeLogRows ?? 0} changes read, ${out.cost?.keysApplied ?? 0} keys applied`;
      return { seconds: r.seconds, rss: r.peakRssMb, how };
    };
    await run(cli, 'full sync');
    await run([...cli, '--incremental'], 'first incremental');
    await admin.execute('UPDATE crm.contacts SET lead_score = lead_score + 1 WHERE id % 1000 = 7');
    const quiet = await run([...cli, '--incremental'], 'quiet incremental');
    const changed = await admin.execute(`UPDATE crm.transaction_items SET updated_at = updated_at + INTERVAL 1 SECOND ORDER BY id LIMIT ${burst}`);
    const after = await run([...cli, '--incremental'], 'incremental after the burst');
    const rows = [
      ['incremental after a few changes (reference)', quiet.seconds.toFixed(2), quiet.rss.toFixed(0), quiet.how],
      [`incremental after one statement changing ${changed.affectedRows} rows`, after.seconds.toFixed(2), after.rss.toFixed(0), after.how],
    ];
    const file = saveResults(
      `capture-burst-${server.flavor}`,
      `Binlog capture: peak RSS after a burst (scale ${scale}, ${server.flavor} ${server.version})`,
      ['run', 'seconds', 'peak RSS MB (goal < 200)', 'what it did'],
      rows,
      { server: `${server.flavor} ${server.version}`, scale, burst: changed.affectedRows },
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
