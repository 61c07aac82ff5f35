/**
 * npm run bench:merge-scale -- [--server mysql|mariadb] [--scales 1,4] [--threads T] [--rounds R]
 * Is a one-customer undelete priced by what it brings back? For each scale, on one throwaway
 * server: seed the CRM, sync, take an uncompressed and a gzip backup, time a full restore of the
 * uncompressed one, then delete one contact (with its dependents, by cascade) and time
 * `restore --mode merge --where "contacts.id = N"` from each backup (R rounds, a different contact
 * each round, median), checking every round brought back exactly the rows deleted. Prints the
 * merge / full-restore ratio per scale; the goal (#19) is <= 0.05 and not growing with scale.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, seed } from '../schema/index.js';
import { createConnector } from '../src/db/mysql-driver.js';
import { arg, benchServer, median, runCommand, saveResults } from './bench-util.js';

const scales = arg('scales', '1,4').split(',').map(Number);
const threads = arg('threads', '2');
const rounds = Number(arg('rounds', '3'));

async function main(): Promise<void> {
  const server = await benchServer();
  const port = server.port;
  const target = { host: '127.0.0.1', port, user: 'root', database: 'crm' };
  const url = `mysql://root@127.0.0.1:${port}/crm`;
  const node = (args: string[]) => runCommand('node', ['dist/bin/dualpipe.js', ...args, '--source', url], { env: { DUALPIPE_LOG_LEVEL: 'warn' }, stdout: true });
  const rows: string[][] = [];
  const json: Record<string, unknown>[] = [];
  const r2 = (x: number) => x.toFixed(2);
  try {
    for (const scale of scales) {
      const work = mkdtempSync(join(tmpdir(), 'dualpipe-bench-merge-'));
      const admin = await createConnector(target).connect({ database: null });
      try {
        await admin.execute('DROP DATABASE IF EXISTS crm');
        await admin.execute('DROP DATABASE IF EXISTS crm_report');
        await admin.execute('DROP DATABASE IF EXISTS crm_report__dualpipe');
        await admin.execute('DROP DATABASE IF EXISTS crm_r_full');
        await migrate(target);
        const seeded = await seed(createConnector(target), { scale, seed: 1, threads: 2 });
        const synced = await node(['sync']);
        if (synced.code !== 0) throw new Error(`sync failed: ${synced.stderr}`);
        const backups: Record<string, string> = {};
        for (const compress of ['none', 'gzip']) {
          const b = await node(['backup', '--to', join(work, compress), '--create-dirs', '--compress', compress, '--threads', threads]);
          if (b.code !== 0) throw new Error(`backup --compress ${compress} failed: ${b.stderr}`);
          backups[compress] = join(work, compress, readdirSync(join(work, compress))[0]!);
        }
        const full = await node(['restore', '--from', backups.none!, '--into', 'crm_r_full', '--threads', threads, '--yes']);
        if (full.code !== 0) throw new Error(`full restore failed: ${full.stderr}`);
        await admin.execute('DROP DATABASE crm_r_full');
        // Contacts with transactions, so every round brings back a tree of several tables.
        const victims = (await admin.query<{ id: number }>(
          'SELECT contact_id AS id FROM crm.transactions GROUP BY contact_id ORDER BY contact_id LIMIT ?',
          [2 * rounds],
        )).map((r) => r.id);
        const tree = async (id: number) =>
          Number((await admin.query<{ n: number }>(
            `SELECT (SELECT COUNT(*) FROM crm.contacts WHERE id = ?) + (SELECT COUNT(*) FROM crm.addresses WHERE contact_id = ?)
              + (SELECT COUNT(*) FROM crm.transactions WHERE contact_id = ?) + (SELECT COUNT(*) FROM crm.interactions WHERE contact_id = ?)
              + (SELECT COUNT(*) FROM crm.transaction_items i JOIN crm.transactions t ON t.id = i.transaction_id WHERE t.contact_id = ?) AS n`,
            [id, id, id, id, id],
          ))[0]!.n);
        for (const [k, compress] of ['none', 'gzip'].entries()) {
          const seconds: number[] = [];
          let mb = 0;
          let back = 0;
          for (let r = 0; r < rounds; r++) {
            const id = victims[k * rounds + r]!;
            const before = await tree(id);
            await admin.execute('DELETE FROM crm.contacts WHERE id = ?', [id]);
            const m = await node(['restore', '--from', backups[compress]!, '--mode', 'merge', '--where', `contacts.id = ${id}`, '--threads', threads, '--json']);
            if (m.code !== 0) throw new Error(`merge failed: ${m.stderr}`);
            const after = await tree(id);
            if (after !== before) throw new Error(`merge of contact ${id} brought back ${after} rows of ${before}`);
            const res = JSON.parse(m.stdout) as { bytesRead?: number };
            mb = (res.bytesRead ?? 0) / 1e6;
            back = after;
            seconds.push(m.seconds);
          }
          const s = median(seconds);
          rows.push([String(scale), String(seeded.rows), compress, r2(full.seconds), r2(s), (s / full.seconds).toFixed(3), `${mb.toFixed(2)} MB read, ${back} rows back (last round)`]);
          json.push({ scale, rows: seeded.rows, compress, fullRestore: full.seconds, merge: s, ratio: s / full.seconds, mbRead: mb });
        }
      } finally {
        await admin.close();
        rmSync(work, { recursive: true, force: true });
      }
    }
    saveResults(
      `merge-scale-${server.flavor}`,
      `bench:merge-scale on ${server.flavor === 'mysql' ? 'MySQL' : 'MariaDB'} ${server.version}: one contact merged back / full restore (median of ${rounds} rounds, ${threads} threads)`,
      ['scale', 'rows', 'backup', 'full restore s', 'merge s', 'ratio', 'notes'],
      rows,
      { server: server.version, flavor: server.flavor, threads, rounds, command: `node dist/bench/merge-scale-bench.js --server ${server.flavor} --scales ${scales.join(',')} --rounds ${rounds}`, results: json },
    );
  } finally {
    await server.stop();
  }
}

await main();
