/**
 * Reports recompute only the keys whose change they can see (relevant-keys.ts, report-columns.ts):
 * a run that moves only `updated_at`, which no CRM report reads, recomputes no report row, while a
 * change of a column a report reads, even of case only or through a `@changes … SELECT` line, is
 * recomputed, and only in the reports that read that column. After every run the mirrors must
 * equal the source and the reports those built from scratch by the report SQL (independent
 * digests, incremental-fixture.ts), including the next run, which brings the other copy up from
 * the live set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { createIncrementalFixture, type IncrementalFixture } from '../../helpers/incremental-fixture.js';

describe.each(['triggers', 'binlog'] as const)('report keys of relevant changes only (%s capture)', (method) => {
  let f: IncrementalFixture;
  let conn: SqlConnection;
  let q: IncrementalFixture['q'];

  beforeAll(async () => {
    f = await createIncrementalFixture(`rel_${method.slice(0, 3)}`, method);
    ({ conn, q } = f);
    await f.incremental(); // the shadow set, copied from the live set
  });

  afterAll(async () => {
    await f?.close();
  });

  const touch = (table: string, where = '1=1') => conn.execute(`UPDATE ${q(table)} SET updated_at = updated_at + INTERVAL 1 SECOND WHERE ${where}`);

  it('recomputes no report row when only updated_at moved, and still applies it to the mirrors', async () => {
    for (const t of ['interactions', 'transactions', 'organizations', 'users', 'contacts', 'opportunities']) await touch(t, 'id % 3 = 0');
    const r = await f.incremental();
    expect(r.cost?.keysApplied).toBeGreaterThan(50);
    expect(r.cost?.reportKeys).toBe(0);
    await f.expectExact('updated_at only');
    // The other copy catches up from the live set: the same changes, again no report row.
    const again = await f.incremental();
    expect(again.cost?.reportKeys).toBe(0);
    await f.expectExact('updated_at only, the other copy');
  });

  it('recomputes the rows a read column changed, of case only, directly and through an organization', async () => {
    const [c] = await conn.query<{ id: number; organization_id: number }>(
      `SELECT c.id, c.organization_id FROM ${q('contacts')} c WHERE c.organization_id IS NOT NULL AND EXISTS (SELECT 1 FROM ${q('interactions')} i WHERE i.contact_id = c.id) ORDER BY c.id LIMIT 1`,
    );
    // Case only: the reports' collation calls these equal; their bytes differ.
    await conn.execute(`UPDATE ${q('organizations')} SET name = UPPER(name), updated_at = updated_at + INTERVAL 1 SECOND WHERE id = ?`, [c!.organization_id]);
    await conn.execute(`UPDATE ${q('interactions')} SET subject = LOWER(subject) WHERE contact_id = ? ORDER BY id LIMIT 1`, [c!.id]);
    await touch('interactions', 'id % 5 = 1');
    const r = await f.incremental();
    expect(r.cost?.reportKeys).toBeGreaterThan(0);
    await f.expectExact('read columns changed');
    const [row] = await conn.query<{ n: string }>(`SELECT CAST(organization_name AS BINARY) AS n FROM ${q('rpt_customer_360').replace(f.fx.database, f.fx.reportSchema)} WHERE contact_id = ?`, [c!.id]);
    const [org] = await conn.query<{ n: string }>(`SELECT CAST(name AS BINARY) AS n FROM ${q('organizations')} WHERE id = ?`, [c!.organization_id]);
    expect(String(row!.n)).toBe(String(org!.n));
    await f.incremental();
    await f.expectExact('read columns changed, the other copy');
  });

  it('recomputes a row only in the reports that read the changed column', async () => {
    // rpt_interaction_search reads body; rpt_customer_360 counts interactions and does not.
    const changed = await conn.execute(`UPDATE ${q('interactions')} SET body = CONCAT(COALESCE(body, ''), ' edited') WHERE id % 7 = 2 ORDER BY id LIMIT 3`);
    expect(changed.affectedRows).toBe(3);
    const r = await f.incremental();
    expect(r.cost?.reportKeys).toBe(3);
    await f.expectExact('body only');
    await f.incremental();
    await f.expectExact('body only, the other copy');
  });

  it('recomputes inserted and deleted rows whatever their columns', async () => {
    const [c] = await conn.query<{ id: number }>(`SELECT id FROM ${q('contacts')} WHERE id IN (SELECT contact_id FROM ${q('transactions')}) ORDER BY id DESC LIMIT 1`);
    await conn.execute(`INSERT INTO ${q('interactions')} (contact_id, channel, direction, subject, body, occurred_at) SELECT contact_id, channel, direction, subject, body, occurred_at FROM ${q('interactions')} ORDER BY id LIMIT 3`);
    await conn.execute(`DELETE FROM ${q('contacts')} WHERE id = ?`, [c!.id]);
    const r = await f.incremental();
    expect(r.cost?.reportKeys).toBeGreaterThan(0);
    await f.expectExact('inserts and a cascading delete');
    await f.incremental();
    await f.expectExact('inserts and a cascading delete, the other copy');
  });
});
