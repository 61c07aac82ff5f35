#!/usr/bin/env node
// The main job end to end on the embedded server: start it (installing MariaDB when missing on
// Debian/Ubuntu as root), migrate, seed, sync, verify, install change capture and run incremental
// syncs after changes (cascading deletes included), query report tables as an analyst, back up
// the MyISAM mirrors, verify the backup, restore it into a scratch InnoDB schema and check it.
// Scale with DEMO_SCALE (default 0.1, about 250k rows; 1 is about 2.5M rows). DEMO_SERVER=mysql runs
// it on Oracle MySQL (fetched into ~/.cache/dualpipe-mysql when missing) instead of MariaDB.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/bin/dualpipe.js', import.meta.url));
const scale = process.env.DEMO_SCALE ?? '0.1';
// The demo keeps its state (the embedded server, backups) in ./.dualpipe of the folder it runs in.
const stateDir = resolve(process.env.DUALPIPE_STATE_DIR ?? '.dualpipe');

function newestBackup(dir) {
  const names = readdirSync(dir).filter((n) => n.startsWith('dualpipe-')).sort();
  return join(dir, names[names.length - 1]);
}

function step(title, args, { allowCodes = [0] } = {}) {
  process.stdout.write(`\n== ${title}\n$ dualpipe ${args.join(' ')}\n`);
  const res = spawnSync(process.execPath, [cli, ...args], {
    stdio: 'inherit',
    env: { ...process.env, DUALPIPE_STATE_DIR: stateDir, DUALPIPE_LOG_LEVEL: process.env.DUALPIPE_LOG_LEVEL ?? 'warn' },
  });
  if (!allowCodes.includes(res.status ?? 1)) {
    process.stderr.write(`demo: step "${title}" failed with exit code ${res.status}\n`);
    process.exit(res.status ?? 1);
  }
}

const server = process.env.DEMO_SERVER ? ['--server', process.env.DEMO_SERVER] : [];
step('start the embedded server', ['db', 'start', '--install', ...server]);
step('create the InnoDB CRM schema', ['migrate']);
step(`load sample data (scale ${scale})`, ['seed', '--scale', scale, '--truncate']);
step('sync InnoDB -> MyISAM mirrors and report tables', ['sync']);
step('verify mirrors against the source', ['verify']);

const { createConnector, embeddedServerStatus } = await import('../dist/api/index.js');
const state = embeddedServerStatus({ dir: join(stateDir, 'db') });
const conn = await createConnector({ host: '127.0.0.1', port: state.port, user: 'root' }).connect({
  database: null,
});
async function changeSomeRows(round) {
  process.stdout.write(`\n== the CRM writes: updates, an insert, a contact deleted (cascading to its transactions and items)\n`);
  await conn.execute('UPDATE crm.contacts SET lead_score = lead_score + 1 WHERE id % 97 = ?', [round]);
  await conn.execute("UPDATE crm.transactions SET status = 'refunded' WHERE id % 101 = ? AND status = 'paid'", [round]);
  await conn.execute(
    "INSERT INTO crm.interactions (contact_id, channel, direction, subject, body, occurred_at) SELECT MIN(id), 'email', 'inbound', 'demo', 'written by the demo', NOW(6) FROM crm.contacts",
  );
  await conn.execute('DELETE FROM crm.contacts WHERE id = (SELECT id FROM (SELECT MAX(id) AS id FROM crm.contacts) x)');
}
step('install change capture (triggers that log changed keys)', ['capture', 'install']);
step('full sync: the base incremental runs follow', ['sync']);
await changeSomeRows(1);
step('incremental sync (the first one also copies the shadow set once)', ['sync', '--incremental']);
await changeSomeRows(2);
step('incremental sync', ['sync', '--incremental']);
step('verify mirrors against the source', ['verify']);
const backups = process.env.DEMO_BACKUP_DIR ?? join(stateDir, 'backups');
step('back up the MyISAM mirrors', ['backup', '--to', backups, '--create-dirs']);
step('list backups', ['backup', 'list', '--in', backups]);
step('verify the newest backup (hashes, restore test into a scratch schema)', ['backup', 'verify', newestBackup(backups), '--restore-test']);
step('restore the newest backup into the scratch schema crm_restored', ['restore', '--from', backups, '--into', 'crm_restored', '--yes']);

process.stdout.write('\n== analyst query: top 5 customers by lifetime value (crm_report.rpt_customer_360)\n');
const rows = await conn.query(
  `SELECT contact_id, CONCAT(first_name, ' ', last_name) AS name, organization_name, lifetime_value, order_count, last_purchase_at
     FROM crm_report.rpt_customer_360 ORDER BY lifetime_value DESC LIMIT 5`,
);
console.table(rows);
process.stdout.write('\n== analyst query: revenue of the last 6 months (crm_report.rpt_revenue_by_month)\n');
console.table(
  await conn.query(
    'SELECT month, currency, paid_transaction_count, revenue FROM crm_report.rpt_revenue_by_month ORDER BY month DESC, currency LIMIT 6',
  ),
);
process.stdout.write('\n== check: the restored InnoDB copy equals the source (row counts per table)\n');
const counts = await conn.query(
  `SELECT s.TABLE_NAME AS table_name, s.ENGINE AS source_engine, r.ENGINE AS restored_engine
     FROM information_schema.TABLES s JOIN information_schema.TABLES r ON r.TABLE_NAME = s.TABLE_NAME
    WHERE s.TABLE_SCHEMA = 'crm' AND r.TABLE_SCHEMA = 'crm_restored' ORDER BY 1`,
);
let mismatches = 0;
for (const t of counts) {
  const [a] = await conn.query(`SELECT COUNT(*) AS n FROM crm.\`${t.table_name}\``);
  const [b] = await conn.query(`SELECT COUNT(*) AS n FROM crm_restored.\`${t.table_name}\``);
  t.source_rows = Number(a.n);
  t.restored_rows = Number(b.n);
  if (t.source_rows !== t.restored_rows) mismatches++;
}
console.table(counts);
await conn.close();
if (mismatches > 0) {
  process.stderr.write(`demo: ${mismatches} table(s) differ between crm and crm_restored\n`);
  process.exit(1);
}
process.stdout.write(
  `\nDone. The embedded server keeps running at mysql://root@127.0.0.1:${state.port}/crm (report schema crm_report).\n` +
    `Stop it with: npx dualpipe db stop --state-dir ${stateDir}\n`,
);
