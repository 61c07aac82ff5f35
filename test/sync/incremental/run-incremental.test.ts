/**
 * Incremental sync against a real server, with each capture method (triggers, binlog) on the same
 * changes. After each kind of change the mirrors must equal the source row for row, and the
 * reports must equal reports built from scratch (the report SQL over the source; checked against a
 * real full sync at the start and end), all checked with an independent digest (SHA-256 of every
 * row, nothing shared with the sync). Method-specific fallbacks: run-incremental-fallback.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify } from '../../../src/db/quote.js';
import { type IncrementalResult, runIncrementalSync } from '../../../sync/incremental/run-incremental.js';
import { schemaDigest } from '../../helpers/table-digest.js';
import { createIncrementalFixture, type IncrementalFixture } from '../../helpers/incremental-fixture.js';
import { LockBusyError } from '../../../src/errors.js';

const METHODS = ['triggers', 'binlog'] as const;

describe.each(METHODS)('incremental sync (%s capture)', (method) => {
  let f: IncrementalFixture;
  let fx: IncrementalFixture['fx'];
  let conn: SqlConnection;
  let options: IncrementalFixture['options'];
  let q: IncrementalFixture['q'];
  let expectExact: IncrementalFixture['expectExact'];
  let incremental: IncrementalFixture['incremental'];
  let contactWithTree: IncrementalFixture['contactWithTree'];

  beforeAll(async () => {
    f = await createIncrementalFixture(`incr_${method.slice(0, 3)}`, method);
    ({ fx, conn, options, q, expectExact, incremental, contactWithTree } = f);
  });

  afterAll(async () => {
    await f?.close();
  });

  it('starts with a full sync, then applies a quiet run with nothing to do', async () => {
      const r = await runIncrementalSync(options); // primes the shadow set
      expect(r.cost?.primedShadow).toBe(true);
      const quiet = await incremental();
      expect(quiet.cost).toMatchObject({ changeLogRows: 0, keysApplied: 0, rowsMoved: 0, primedShadow: false });
      await expectExact('quiet', { fullSync: true });
    });

    it('a second run while one is going exits with the lock busy (4), and the first one is exact', async () => {
      await conn.execute(`UPDATE ${q('contacts')} SET lead_score = lead_score + 1 WHERE id % 3 = 0`);
      const both = await Promise.allSettled([runIncrementalSync(options), runIncrementalSync(options)]);
      const done = both.filter((r) => r.status === 'fulfilled');
      const busy = both.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(done).toHaveLength(1);
      expect(busy.map((r) => r.reason instanceof LockBusyError)).toEqual([true]);
      expect((done[0] as PromiseFulfilledResult<IncrementalResult>).value.fullSyncReason).toBeUndefined();
      await expectExact('after a refused second run');
    });

    it('follows cascaded deletes three levels deep, SET NULL and ON UPDATE CASCADE', async () => {
      const contact = await contactWithTree();
      const items = await conn.query(`SELECT i.id FROM ${q('transaction_items')} i JOIN ${q('transactions')} t ON t.id = i.transaction_id WHERE t.contact_id = ?`, [contact]);
      expect(items.length).toBeGreaterThan(0);
      await conn.execute(`DELETE FROM ${q('contacts')} WHERE id = ?`, [contact]);
      // SET NULL: contacts, transactions and opportunities of a deleted organization keep their rows.
      const org = (await conn.query<{ id: number }>(`SELECT organization_id AS id FROM ${q('contacts')} WHERE organization_id IS NOT NULL LIMIT 1`))[0]!.id;
      await conn.execute(`DELETE FROM ${q('organizations')} WHERE id = ?`, [org]);
      // ON UPDATE CASCADE: a pipeline stage gets a new id; opportunities and stage history follow.
      await conn.execute(`UPDATE ${q('pipeline_stages')} SET id = 900 WHERE id = (SELECT id FROM (SELECT MIN(s.id) AS id FROM ${q('pipeline_stages')} s JOIN ${q('opportunities')} o ON o.stage_id = s.id) x)`);
      const r = await incremental();
      expect(r.cost!.cascadeRows).toBeGreaterThan(items.length);
      const byTable = new Map(r.changes!.map((c) => [c.table, c]));
      expect(byTable.get('transaction_items')!.cascadeKeys).toBeGreaterThanOrEqual(items.length);
      expect(byTable.get('opportunities')!.cascadeKeys).toBeGreaterThan(0);
      const left = await conn.query(`SELECT 1 FROM ${qualify(fx.reportSchema, 'transactions')} WHERE contact_id = ?`, [contact]);
      expect(left).toHaveLength(0);
      await expectExact('cascades');
    });

    it('does not skip a transaction that started before a sync and committed after it', async () => {
      const late = await fx.connector.connect();
      const id = (await conn.query<{ id: number }>(`SELECT MAX(id) AS id FROM ${q('contacts')}`))[0]!.id;
      await late.execute('START TRANSACTION');
      await late.execute(`UPDATE ${q('contacts')} SET first_name = 'Late' WHERE id = ?`, [id]);
      await late.execute(`INSERT INTO ${q('codes')} VALUES ('late', 9)`);
      const during = await incremental();
      expect(during.cost!.changeLogRows).toBe(0);
      await late.execute('COMMIT');
      await late.close();
      const after = await incremental();
      expect(after.cost!.changeLogRows).toBe(2);
      const row = await conn.query<{ first_name: string }>(`SELECT first_name FROM ${qualify(fx.reportSchema, 'contacts')} WHERE id = ?`, [id]);
      expect(row[0]!.first_name).toBe('Late');
      await expectExact('late commit');
    });

    it('sees rows changed with updated_at held back', async () => {
      await conn.execute(`UPDATE ${q('contacts')} SET last_name = 'Heldback', updated_at = updated_at WHERE id % 7 = 1`);
      await conn.execute(`UPDATE ${q('transactions')} SET status = 'refunded', updated_at = updated_at WHERE id % 9 = 2 AND status = 'paid'`);
      // Case and accents only: equal to the reports' collation, different bytes.
      await conn.execute(`UPDATE ${q('contacts')} SET first_name = UPPER(first_name) WHERE id % 7 = 3`);
      await conn.execute(`UPDATE ${q('organizations')} SET name = CONCAT(LOWER(name), 'é') WHERE id % 5 = 1`);
      const r = await incremental();
      expect(r.cost!.keysApplied).toBeGreaterThan(0);
      await expectExact('updated_at held back');
    });

    it('sees a change of case or accents only (equal to the reports\' collation, not to their bytes)', async () => {
      await incremental(); // the shadow copy catches up with the previous test's many keys
      const id = await contactWithTree();
      await conn.execute(`UPDATE ${q('contacts')} SET first_name = UPPER(REPLACE(first_name, 'a', 'á')) WHERE id = ?`, [id]);
      const r = await incremental();
      expect(r.cost!.reportsRebuilt, 'refreshed key by key, not rebuilt').toBe(0);
      expect(r.cost!.reportKeys).toBeGreaterThan(0);
      await expectExact('case and accents');
    });

    it('copies a truncated table whole, in this run and for the shadow set in the next', async () => {
      await conn.execute(`TRUNCATE TABLE ${q('contact_tags')}`);
      const someContact = (await conn.query<{ id: number }>(`SELECT MIN(id) AS id FROM ${q('contacts')}`))[0]!.id;
      await conn.execute(`INSERT INTO ${q('contact_tags')} (contact_id, tag, added_at) VALUES (?, 'vip', NOW(6)), (?, 'new', NOW(6))`, [someContact, someContact]);
      const r = await incremental();
      expect(r.changes!.find((c) => c.table === 'contact_tags')!.whole).toBe(true);
      await expectExact('truncate');
      const next = await incremental();
      expect(next.changes!.find((c) => c.table === 'contact_tags')!.whole).toBe(true);
      await expectExact('truncate, next run');
    });

    it('handles string, case-insensitive, composite and binary primary keys', async () => {
      await conn.execute(`UPDATE ${q('codes')} SET code = 'ABC' WHERE code = 'abc'`); // same key to the collation
      await conn.execute(`DELETE FROM ${q('codes')} WHERE code = 'tab\\there'`);
      await conn.execute(`INSERT INTO ${q('codes')} VALUES ('new''quote', 4)`);
      await conn.execute(`UPDATE ${q('bins')} SET v = 'changed' WHERE a = 1 AND b = X'0A09'`);
      await conn.execute(`UPDATE ${q('bins')} SET b = X'FFFF' WHERE a = 1 AND b = X'00FF'`);
      await conn.execute(`DELETE FROM ${q('bins')} WHERE a = 2`);
      await conn.execute(`UPDATE ${q('contact_tags')} SET tag = 'gold' WHERE tag = 'vip'`);
      const elsewhere = await fx.connector.connect();
      await elsewhere.execute("SET time_zone = '+05:00'");
      await elsewhere.execute(`UPDATE ${q('events')} SET v = 10 WHERE v = 1`);
      await elsewhere.execute(`DELETE FROM ${q('events')} WHERE v = 2`);
      await elsewhere.execute(`INSERT INTO ${q('events')} VALUES ('2024-03-02 00:00:00', 3)`);
      await elsewhere.close();
      await incremental();
      await expectExact('key shapes');
      await incremental(); // the shadow set catches up with the same keys
      await expectExact('key shapes, next run');
    });

    it('--paranoid finds and rewrites drift the triggers could not see; without it the drift stays', async () => {
      const shadow = qualify(`${fx.reportSchema}__dualpipe`, '__dp_shadow_contacts');
      const tamper = async () => {
        const id = (await conn.query<{ id: number }>(`SELECT MIN(id) AS id FROM ${shadow}`))[0]!.id;
        await conn.execute(`UPDATE ${shadow} SET first_name = 'Drift' WHERE id = ?`, [id]);
      };
      await tamper();
      const r1 = await runIncrementalSync({ ...options, paranoid: true });
      expect(r1.fullSyncReason).toBeUndefined();
      expect(r1.cost!.chunksCompared).toBeGreaterThan(0);
      expect(r1.cost!.chunksRewritten).toBeGreaterThanOrEqual(1);
      await expectExact('paranoid repair');
      const r2 = await incremental(); // the other copy gets the table whole
      expect(r2.changes!.find((c) => c.table === 'contacts')!.whole).toBe(true);
      await expectExact('after the paranoid repair, next run');
      await tamper();
      await incremental();
      const contacts = ['contacts'];
      expect(await schemaDigest(conn, fx.reportSchema, contacts)).not.toEqual(await schemaDigest(conn, fx.database, contacts));
      const clean = await runIncrementalSync({ ...options, paranoid: true }); // works on the clean copy
      expect(clean.cost!.chunksRewritten).toBe(0);
      const fixed = await runIncrementalSync({ ...options, paranoid: true });
      expect(fixed.cost!.chunksRewritten).toBeGreaterThanOrEqual(1);
      await expectExact('paranoid after drift went live', { fullSync: true });
    });
});
