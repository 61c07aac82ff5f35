/**
 * npm run bench:verify -- --scale N
 * The price of exact checksums: seeds the CRM at scale N on a throwaway server, syncs it, then
 * times on the same data `dualpipe verify` (every value rendered losslessly, 64-bit SHA-256 digests
 * summed per chunk) against the first version's checksum, `COUNT(*)` and
 * `BIT_XOR(CRC32(CONCAT_WS(…)))` of every table and mirror, run by the mariadb client (serial).
 * With `--peer-cli PATH`, also the `verify` of another build (the first version's) on the same
 * data. Three rounds each; the best of each is kept.
 */
import { migrate, seed } from '../schema/index.js';
import { createConnector } from '../src/db/mysql-driver.js';
import { arg, benchServer, runCommand, saveResults } from './bench-util.js';
import { verifyRows } from './verify-rows.js';

const scale = Number(arg('scale', '1'));
/** Another build's CLI (e.g. a checkout of the first version) whose `verify` is timed on the same data. */
const peerCli = arg('peer-cli', '');

async function main(): Promise<void> {
  const server = await benchServer();
  const target = { host: '127.0.0.1', port: server.port, user: 'root', database: 'crm' };
  const client = ['-h127.0.0.1', `-P${server.port}`, '-uroot'];
  const url = `mysql://root@127.0.0.1:${server.port}/crm`;
  const env = { env: { DUALPIPE_LOG_LEVEL: 'warn' } };
  try {
    await migrate(target);
    const seeded = await seed(createConnector(target), { scale, seed: 1, threads: 2 });
    const sync = await runCommand('node', ['dist/bin/dualpipe.js', 'sync', '--source', url], env);
    if (sync.code !== 0) throw new Error(`sync failed: ${sync.stderr}`);
    const admin = await createConnector(target).connect({ database: null });
    const version = (await admin.query<{ v: string }>('SELECT VERSION() AS v'))[0]!.v;
    let best: string[][] | undefined;
    for (let round = 0; round < 3; round++) {
      const rows = await verifyRows({ cli: ['dist/bin/dualpipe.js', 'verify', '--source', url], env, clientBin: server.tools.client, client, admin, source: 'crm', report: 'crm_report' });
      if (!best || Number(rows[1]![1]) < Number(best[1]![1])) best = rows;
    }
    if (peerCli) {
      let peer = Infinity;
      for (let round = 0; round < 3; round++) {
        const r = await runCommand('node', [peerCli, 'verify', '--source', url], env);
        if (r.code !== 0) throw new Error(`peer verify failed (${r.code}): ${r.stderr.slice(-1000)}`);
        peer = Math.min(peer, r.seconds);
      }
      const ours = Number(best![1]![1]);
      best!.push([`\`verify\` of ${peerCli} (that build's own checksum, same chunks)`, peer.toFixed(2), '', `dualpipe verify is ${(ours / peer).toFixed(2)}x this`]);
    }
    await admin.close();
    saveResults('verify', `bench:verify at scale ${scale} (${seeded.rows} rows; best of 3)`, ['what', 'seconds', '', 'notes'], best!, {
      server: version,
      scale,
      seededRows: seeded.rows,
    });
  } finally {
    await server.stop();
  }
}

await main();
