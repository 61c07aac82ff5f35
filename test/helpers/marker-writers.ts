/**
 * Writers whose every commit is recorded in a marker row, for the consistency tests. Transaction
 * i of writer w sets its marker row to i, inserts contact W+i with a transaction and an item,
 * deletes contact W+i-1 when i is even (cascading to its transaction and item), and bumps the
 * lead score of a seeded contact. From the marker value a mirror holds, the exact set of writer
 * rows it must hold follows; any mix of two points in time shows up.
 */
import { expect } from 'vitest';
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import type { CrmFixture } from './crm-fixture.js';
import { countOrphans } from './table-digest.js';

export const WRITERS = [1, 2];
export const writerBase = (w: number) => 10_000_000 * w;

/** Creates the marker table (before change capture is installed, so it is captured too). */
export async function createMarkers(conn: SqlConnection, schema: string): Promise<void> {
  await conn.execute(`CREATE TABLE ${qualify(schema, 'sync_marker')} (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB`);
  await conn.execute(`INSERT INTO ${qualify(schema, 'sync_marker')} VALUES (1, 0), (2, 0)`);
}

/** The seeded lead scores the writers change, to tell untouched rows. */
export async function originalLeadScores(conn: SqlConnection, schema: string): Promise<Map<number, number>> {
  const rows = await conn.query<{ id: number; lead_score: number }>(`SELECT id, lead_score FROM ${qualify(schema, 'contacts')} WHERE id <= 80`);
  return new Map(rows.map((r) => [Number(r.id), Number(r.lead_score)]));
}

/** Runs writer w until `stop` is set; returns the number of commits and the worst commit latency. */
export async function markerWriter(fx: CrmFixture, w: number, stop: { done: boolean }): Promise<{ commits: number; worstMs: number }> {
  const c = await fx.connector.connect();
  const s = fx.database;
  let i = 0;
  let worstMs = 0;
  try {
    while (!stop.done) {
      i++;
      const id = writerBase(w) + i;
      const t0 = performance.now();
      await c.execute('START TRANSACTION');
      await c.execute(`UPDATE ${qualify(s, 'sync_marker')} SET v = ? WHERE id = ?`, [i, w]);
      await c.execute(`INSERT INTO ${qualify(s, 'contacts')} (id, first_name, last_name, email) VALUES (?, 'W', ?, ?)`, [id, `w${w}`, `w${w}-${i}@example.test`]);
      await c.execute(
        `INSERT INTO ${qualify(s, 'transactions')} (id, contact_id, status, currency, total_amount, occurred_at)
         VALUES (?, ?, 'paid', 'EUR', 10.00, '2024-01-01 00:00:00')`,
        [id, id],
      );
      await c.execute(`INSERT INTO ${qualify(s, 'transaction_items')} (id, transaction_id, catalog_item_id, quantity, unit_price) VALUES (?, ?, 1, 1, 10.00)`, [id, id]);
      if (i % 2 === 0) await c.execute(`DELETE FROM ${qualify(s, 'contacts')} WHERE id = ?`, [id - 1]);
      await c.execute(`UPDATE ${qualify(s, 'contacts')} SET lead_score = ? WHERE id = ?`, [i, (i % 40) + 1 + 40 * (w - 1)]);
      await c.execute('COMMIT');
      worstMs = Math.max(worstMs, performance.now() - t0);
    }
  } finally {
    await c.close();
  }
  return { commits: i, worstMs };
}

/**
 * Checks the mirrors hold exactly the writer state implied by their marker values; with
 * `reports`, also that rpt_customer_360 has one row per writer contact present. Returns the markers.
 */
export async function checkMarkerMirror(conn: SqlConnection, fx: CrmFixture, original: Map<number, number>, options: { reports?: boolean } = {}): Promise<number[]> {
  const r = fx.reportSchema;
  const markers = await conn.query<{ id: number; v: number }>(`SELECT id, v FROM ${qualify(r, 'sync_marker')} ORDER BY id`);
  const vs: number[] = [];
  for (const w of WRITERS) {
    const v = Number(markers.find((m) => Number(m.id) === w)?.v ?? 0);
    vs.push(v);
    const expected: number[] = [];
    for (let k = 1; k <= v; k++) if (k % 2 === 0 || k === v) expected.push(writerBase(w) + k);
    const lo = writerBase(w);
    const hi = writerBase(w + 1) - 1;
    for (const table of ['contacts', 'transactions', 'transaction_items']) {
      const ids = await conn.query<{ id: number }>(`SELECT id FROM ${qualify(r, table)} WHERE id BETWEEN ? AND ? ORDER BY id`, [lo, hi]);
      expect(ids.map((x) => Number(x.id)), `${table} of writer ${w} at marker ${v}`).toEqual(expected);
    }
    for (let s = 1; s <= 40; s++) {
      const id = s + 40 * (w - 1);
      let last: number | undefined;
      for (let k = 1; k <= v; k++) if ((k % 40) + 1 === s) last = k;
      const row = await conn.query<{ lead_score: number }>(`SELECT lead_score FROM ${qualify(r, 'contacts')} WHERE id = ?`, [id]);
      expect(Number(row[0]?.lead_score), `lead score of contact ${id} at marker ${v}`).toBe(last ?? original.get(id));
    }
    if (options.reports) {
      const rpt = await conn.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${qualify(r, 'rpt_customer_360')} WHERE contact_id BETWEEN ? AND ?`, [lo, hi]);
      expect(Number(rpt[0]!.n), `rpt_customer_360 rows of writer ${w}`).toBe(expected.length);
    }
  }
  const orphans = await countOrphans(conn, fx.database, r);
  expect(Object.entries(orphans).filter(([, n]) => n > 0)).toEqual([]);
  return vs;
}
