/**
 * Incremental syncs under concurrent writers. Transaction i of writer w sets its marker row to
 * i, inserts contact W+i with a transaction and an item, deletes contact W+i-1 when i is even
 * (cascading to its transaction and item) and bumps a seeded contact's lead score. From the
 * marker a mirror holds, the exact writer rows it must hold follow: any mix of two points in
 * time, a late commit skipped or a cascade missed shows up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import { installCapture } from '../../sync/capture.js';
import { runIncrementalSync } from '../../sync/run-incremental.js';
import type { SyncOptions } from '../../sync/run-sync.js';
import { type CrmFixture, createCrmFixture } from '../helpers/crm-fixture.js';
import { countOrphans, schemaDigest } from '../helpers/table-digest.js';

let fx: CrmFixture;
let conn: SqlConnection;
const WRITERS = [1, 2];
const base = (w: number) => 10_000_000 * w;

beforeAll(async () => {
  fx = await createCrmFixture('iconsist', 0.02);
  conn = await fx.connector.connect();
  await conn.execute(`CREATE TABLE ${qualify(fx.database, 'sync_marker')} (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB`);
  await conn.execute(`INSERT INTO ${qualify(fx.database, 'sync_marker')} VALUES (1, 0), (2, 0)`);
  await installCapture(conn, fx.database);
});

afterAll(async () => {
  await conn.close();
  await fx.drop();
});

async function writer(w: number, stop: { done: boolean }): Promise<number> {
  const c = await fx.connector.connect();
  const s = fx.database;
  let i = 0;
  try {
    while (!stop.done) {
      i++;
      const id = base(w) + i;
      await c.execute('START TRANSACTION');
      await c.execute(`UPDATE ${qualify(s, 'sync_marker')} SET v = ? WHERE id = ?`, [i, w]);
      await c.execute(`INSERT INTO ${qualify(s, 'contacts')} (id, first_name, last_name, email) VALUES (?, 'W', ?, ?)`, [id, `w${w}`, `w${w}-${i}@example.test`]);
      await c.execute(
        `INSERT INTO ${qualify(s, 'transactions')} (id, contact_id, status, currency, total_amount, occurred_at) VALUES (?, ?, 'paid', 'EUR', 10.00, '2024-01-01 00:00:00')`,
        [id, id],
      );
      await c.execute(`INSERT INTO ${qualify(s, 'transaction_items')} (id, transaction_id, catalog_item_id, quantity, unit_price) VALUES (?, ?, 1, 1, 10.00)`, [id, id]);
      if (i % 2 === 0) await c.execute(`DELETE FROM ${qualify(s, 'contacts')} WHERE id = ?`, [id - 1]);
      await c.execute(`UPDATE ${qualify(s, 'contacts')} SET lead_score = ? WHERE id = ?`, [i, (i % 40) + 1 + 40 * (w - 1)]);
      await c.execute('COMMIT');
    }
  } finally {
    await c.close();
  }
  return i;
}

async function checkMirror(original: Map<number, number>): Promise<number[]> {
  const r = fx.reportSchema;
  const markers = await conn.query<{ id: number; v: number }>(`SELECT id, v FROM ${qualify(r, 'sync_marker')} ORDER BY id`);
  const vs: number[] = [];
  for (const w of WRITERS) {
    const v = Number(markers.find((m) => Number(m.id) === w)?.v ?? 0);
    vs.push(v);
    const expected: number[] = [];
    for (let k = 1; k <= v; k++) if (k % 2 === 0 || k === v) expected.push(base(w) + k);
    for (const table of ['contacts', 'transactions', 'transaction_items']) {
      const ids = await conn.query<{ id: number }>(`SELECT id FROM ${qualify(r, table)} WHERE id BETWEEN ? AND ? ORDER BY id`, [base(w), base(w + 1) - 1]);
      expect(ids.map((x) => Number(x.id)), `${table} of writer ${w} at marker ${v}`).toEqual(expected);
    }
    for (let s = 1; s <= 40; s++) {
      const id = s + 40 * (w - 1);
      let last: number | undefined;
      for (let k = 1; k <= v; k++) if ((k % 40) + 1 === s) last = k;
      const row = await conn.query<{ lead_score: number }>(`SELECT lead_score FROM ${qualify(r, 'contacts')} WHERE id = ?`, [id]);
      expect(Number(row[0]?.lead_score), `lead score of contact ${id} at marker ${v}`).toBe(last ?? original.get(id));
    }
    // The report follows its mirrors: one row per writer contact present.
    const rpt = await conn.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${qualify(r, 'rpt_customer_360')} WHERE contact_id BETWEEN ? AND ?`, [base(w), base(w + 1) - 1]);
    expect(Number(rpt[0]!.n), `rpt_customer_360 rows of writer ${w}`).toBe(expected.length);
  }
  const orphans = await countOrphans(conn, fx.database, r);
  expect(Object.entries(orphans).filter(([, n]) => n > 0)).toEqual([]);
  return vs;
}

describe('incremental sync under concurrent writers', () => {
  it('the mirror set equals one snapshot of the source after every run', async () => {
    const original = new Map(
      (await conn.query<{ id: number; lead_score: number }>(`SELECT id, lead_score FROM ${qualify(fx.database, 'contacts')} WHERE id <= 80`)).map((r) => [
        Number(r.id),
        Number(r.lead_score),
      ]),
    );
    const options: SyncOptions = { source: fx.connector, report: fx.report, sourceSchema: fx.database, reportSchema: fx.reportSchema, sameServer: true };
    await runIncrementalSync(options); // full
    await runIncrementalSync(options); // primes the shadow set
    const stop = { done: false };
    const writers = WRITERS.map((w) => writer(w, stop));
    await new Promise((r) => setTimeout(r, 200));
    const seen: number[][] = [];
    let incrementalRuns = 0;
    for (let run = 0; run < 5; run++) {
      const r = await runIncrementalSync(options);
      if (!r.fullSyncReason) incrementalRuns++;
      seen.push(await checkMirror(original));
    }
    stop.done = true;
    const commits = await Promise.all(writers);
    expect(commits.every((n) => n > 20)).toBe(true);
    expect(incrementalRuns).toBe(5);
    // The markers moved between runs: the runs really caught the writers mid-flight.
    expect(new Set(seen.map((s) => s.join(','))).size).toBeGreaterThan(2);
    // Quiet again: one more run makes the mirrors equal the source exactly.
    await runIncrementalSync(options);
    const tables = [...fx.tables, 'sync_marker'];
    expect(await schemaDigest(conn, fx.reportSchema, tables)).toEqual(await schemaDigest(conn, fx.database, tables));
  });
});
