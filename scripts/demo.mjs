#!/usr/bin/env node
// The main job end to end on the embedded server: start it (installing MariaDB when missing on
// Debian/Ubuntu as root), migrate, seed, sync, query a report table as an analyst, verify.
// Scale with DEMO_SCALE (default 0.1, about 250k rows; 1 is about 2.5M rows).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/bin/dualpipe.js', import.meta.url));
const scale = process.env.DEMO_SCALE ?? '0.1';

function step(title, args, { allowCodes = [0] } = {}) {
  process.stdout.write(`\n== ${title}\n$ dualpipe ${args.join(' ')}\n`);
  const res = spawnSync(process.execPath, [cli, ...args], {
    stdio: 'inherit',
    env: { ...process.env, DUALPIPE_LOG_LEVEL: process.env.DUALPIPE_LOG_LEVEL ?? 'warn' },
  });
  if (!allowCodes.includes(res.status ?? 1)) {
    process.stderr.write(`demo: step "${title}" failed with exit code ${res.status}\n`);
    process.exit(res.status ?? 1);
  }
}

step('start the embedded server', ['db', 'start', '--install']);
step('create the InnoDB CRM schema', ['migrate']);
step(`load sample data (scale ${scale})`, ['seed', '--scale', scale, '--truncate']);
step('sync InnoDB -> MyISAM mirrors and report tables', ['sync']);
step('verify mirrors against the source', ['verify']);

const { createConnector, embeddedServerStatus } = await import('../dist/src/index.js');
const state = embeddedServerStatus();
const conn = await createConnector({ host: '127.0.0.1', port: state.port, user: 'root' }).connect({
  database: null,
});
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
await conn.close();
process.stdout.write(
  `\nDone. The embedded server keeps running at mysql://root@127.0.0.1:${state.port}/crm (report schema crm_report).\n` +
    'Stop it with: npx dualpipe db stop\n',
);
