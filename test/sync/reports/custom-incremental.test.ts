/**
 * A user's report (the how-to's, from docs/custom-reports.md) kept up incrementally: the folder is
 * read by the incremental run too, the report is refreshed by key, and it equals a full rebuild.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify } from '../../../src/db/quote.js';
import { installCapture } from '../../../sync/capture/capture.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { runIncrementalSync } from '../../../sync/incremental/run-incremental.js';
import { howtoBlocks } from '../../helpers/howto-blocks.js';
import { createTestDatabase, type TestDatabase, testPipeline } from '../../helpers/test-database.js';

let db: TestDatabase;
let conn: SqlConnection;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase('custom_incr');
  dir = mkdtempSync(join(tmpdir(), 'dp-cincr-'));
  conn = await db.connector.connect({ database: db.database });
  const blocks = howtoBlocks(readFileSync('docs/custom-reports.md', 'utf8'));
  for (const st of blocks.find((b) => b.info[1] === 'source')!.body.split(/;\s*\n/).map((s) => s.trim()).filter(Boolean)) await conn.execute(st);
  writeFileSync(join(dir, 'rpt_customer_orders.sql'), blocks.find((b) => b.info[1]?.startsWith('file='))!.body);
  // More customers: a refresh touching most of a report's rows rebuilds it instead (refresh-reports.ts).
  for (let id = 100; id < 150; id++) await conn.execute('INSERT INTO customers VALUES (?, ?)', [id, `c${id}`]);
  await installCapture(conn, db.database);
});

afterAll(async () => {
  await conn?.close();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const rows = () => conn.query(`SELECT * FROM ${qualify(`${db.database}_report`, 'rpt_customer_orders')} ORDER BY customer_id`);
const firstThree = async () => (await rows()).slice(0, 3);

describe('a user report, incrementally', () => {
  it('is refreshed by key from the folder and equals a full rebuild', async () => {
    const o = { pipeline: testPipeline(db), reportSet: { dirs: [dir] } };
    const full = await runSync(o);
    expect(full.reports.map((r) => r.name)).toEqual(['rpt_customer_orders']);
    expect(full.skippedReports).toEqual([]);
    await runIncrementalSync(o); // primes the shadow set
    await conn.execute("INSERT INTO orders VALUES (13, 3, '2026-03-01 12:00:00')");
    await conn.execute('INSERT INTO order_lines VALUES (13, 1, 5, 2.00)');
    await conn.execute('UPDATE order_lines SET quantity = 1 WHERE order_id = 10 AND line_no = 1');
    const inc = await runIncrementalSync(o);
    expect(inc.kind).toBe('incremental');
    expect(inc.kind === 'incremental' && inc.cost?.reportKeys).toBe(2);
    expect(await firstThree()).toMatchObject([
      { customer_id: 1, order_count: 2, revenue: '59.95' },
      { customer_id: 2, order_count: 1, revenue: '99.00' },
      { customer_id: 3, order_count: 1, revenue: '10.00', last_order_at: '2026-03-01 12:00:00' },
    ]);
    const after = await rows();
    expect(after.length).toBe(53);
    await runSync(o);
    expect(await rows()).toEqual(after);
  });

  it('is built by an incremental run that turns into a full sync, and kept up by the next one', async () => {
    const report = `${db.database}_fallback`;
    const o = { pipeline: testPipeline(db, report), reportSet: { dirs: [dir] } };
    const first = await runIncrementalSync(o);
    expect(first.fullSyncReason).toBe('no earlier sync');
    expect(first.reports.map((r) => r.name)).toEqual(['rpt_customer_orders']);
    await conn.execute('UPDATE order_lines SET quantity = 3 WHERE order_id = 10 AND line_no = 1');
    const next = await runIncrementalSync(o);
    expect(next.fullSyncReason).toBeUndefined();
    expect(next.kind === 'incremental' && next.cost?.reportKeys).toBe(1);
    await runSync({ pipeline: testPipeline(db), reportSet: { dirs: [dir] } });
    expect(await conn.query(`SELECT * FROM ${qualify(report, 'rpt_customer_orders')} ORDER BY customer_id`)).toEqual(await rows());
  });
});
