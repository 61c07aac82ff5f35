/**
 * Incremental sync against a real server. After each kind of change the mirrors must equal the
 * source row for row, and the reports must equal reports built from scratch (the report SQL over
 * the source; checked against a real full sync at the start, middle and end), all checked with an independent digest (SHA-256 of every row, nothing shared with the sync).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify } from '../../../src/db/quote.js';
import { reportsFromScratch } from '../../helpers/reports-from-scratch.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBackup } from '../../../backup/dump/run-backup.js';
import { rollbackRestore } from '../../../backup/restore/rollback-restore.js';
import { runRestore } from '../../../backup/restore/run-restore.js';
import { installCapture, readCapture } from '../../../sync/capture/capture.js';
import { type IncrementalResult, runIncrementalSync } from '../../../sync/incremental/run-incremental.js';
import { runSync, type SyncOptions } from '../../../sync/full/run-sync.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { schemaDigest } from '../../helpers/table-digest.js';
import { testPipeline } from '../../helpers/test-database.js';
import { LockBusyError } from '../../../src/errors.js';

let fx: CrmFixture;
let conn: SqlConnection;
let options: SyncOptions;
let sourceTables: string[];
const REPORTS = ['rpt_customer_360', 'rpt_interaction_search', 'rpt_pipeline_by_stage_owner', 'rpt_revenue_by_month'];
const q = (t: string) => qualify(fx.database, t);

beforeAll(async () => {
  fx = await createCrmFixture('incr', 0.01);
  conn = await fx.connector.connect();
  // Keys of other shapes: a case-insensitive string key, and a composite key with a binary part.
  await conn.execute(`CREATE TABLE ${q('codes')} (code VARCHAR(20) NOT NULL PRIMARY KEY, n INT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await conn.execute(`INSERT INTO ${q('codes')} VALUES ('abc', 1), ('tab\\there', 2), ('zzz', 3)`);
  await conn.execute(`CREATE TABLE ${q('bins')} (a INT NOT NULL, b VARBINARY(8) NOT NULL, v TEXT NULL, PRIMARY KEY (a, b)) ENGINE=InnoDB`);
  await conn.execute(`INSERT INTO ${q('bins')} VALUES (1, X'00FF', 'one'), (1, X'0A09', 'two'), (2, X'', NULL)`);
  // A TIMESTAMP key, written below from a session in another time zone than the sync's UTC.
  await conn.execute(`CREATE TABLE ${q('events')} (at TIMESTAMP(6) NOT NULL PRIMARY KEY, v INT NULL) ENGINE=InnoDB`);
  await conn.execute(`INSERT INTO ${q('events')} VALUES ('2024-03-01 10:00:00.5', 1), ('2024-03-01 11:00:00', 2)`);
  sourceTables = [...fx.tables, 'codes', 'bins', 'events'];
  await installCapture(conn, fx.database);
  options = { pipeline: fx.pipeline, chunkRows: 500 };
  const first = await runIncrementalSync(options);
  expect(first.fullSyncReason).toBe('no earlier sync');
});

afterAll(async () => {
  await conn.close();
  await fx.drop();
});

/** Mirrors equal the source; reports equal those built from scratch, and (`fullSync`) those of a real full sync, proving that oracle right. */
async function expectExact(label: string, o: { fullSync?: boolean } = {}): Promise<void> {
  expect(await schemaDigest(conn, fx.reportSchema, sourceTables), `${label}: mirrors`).toEqual(await schemaDigest(conn, fx.database, sourceTables));
  await reportsFromScratch(fx.connector, fx.database, `${fx.reportSchema}_scratch`);
  const expected = await schemaDigest(conn, `${fx.reportSchema}_scratch`, REPORTS);
  expect(await schemaDigest(conn, fx.reportSchema, REPORTS), `${label}: reports`).toEqual(expected);
  if (o.fullSync) {
    const fresh = `${fx.reportSchema}_full`;
    await runSync({ ...options, pipeline: testPipeline(fx, fresh) });
    expect(await schemaDigest(conn, fresh, REPORTS), `${label}: reports of a full sync`).toEqual(expected);
  }
}

async function incremental(): Promise<IncrementalResult> {
  const r = await runIncrementalSync(options);
  expect(r.fullSyncReason, 'ran incrementally').toBeUndefined();
  return r;
}

/** A contact with at least one transaction that has items, and an interaction. */
async function contactWithTree(): Promise<number> {
  const rows = await conn.query<{ id: number }>(
    `SELECT c.id FROM ${q('contacts')} c JOIN ${q('transactions')} t ON t.contact_id = c.id
       JOIN ${q('transaction_items')} i ON i.transaction_id = t.id JOIN ${q('interactions')} x ON x.contact_id = c.id
      ORDER BY c.id LIMIT 1`,
  );
  return Number(rows[0]!.id);
}

describe('incremental sync', () => {
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

  it('falls back to a full sync when the schema changed or capture was reinstalled, and says why', async () => {
    await conn.execute(`ALTER TABLE ${q('codes')} ADD COLUMN note VARCHAR(10) NULL`);
    const r = await runIncrementalSync(options);
    expect(r.fullSyncReason).toMatch(/definition of codes changed/);
    await installCapture(conn, fx.database);
    const again = await runIncrementalSync(options);
    expect(again.fullSyncReason).toMatch(/predates the change capture/);
    await runIncrementalSync(options);
    await incremental();
    await expectExact('after fallbacks');
    expect((await readCapture(conn, fx.database)).pending).toBe(0);
  });

  it('a restore over the captured source takes the triggers off for its swap and puts them back; the next sync is full', async () => {
    const before = await readCapture(conn, fx.database);
    const backup = await runBackup({ pipeline: fx.pipeline, to: mkdtempSync(join(tmpdir(), 'dp-incr-')), compress: 'none' });
    await conn.execute(`UPDATE ${q('contacts')} SET lead_score = lead_score + 1 WHERE id % 5 = 0`);
    await runRestore({ connector: fx.connector, from: backup.dir, target: fx.database });
    const after = await readCapture(conn, fx.database);
    expect(after.uncaptured.filter((u) => u.why.startsWith('trigger'))).toEqual([]);
    expect(after.captureId).not.toBe(before.captureId);
    const r = await runIncrementalSync(options);
    expect(r.fullSyncReason).toMatch(/predates the change capture/);
    await rollbackRestore({ connector: fx.connector, target: fx.database });
    expect((await readCapture(conn, fx.database)).uncaptured.filter((u) => u.why.startsWith('trigger'))).toEqual([]);
    expect((await runIncrementalSync(options)).fullSyncReason).toMatch(/predates the change capture/);
    await runIncrementalSync(options);
    await incremental();
    await expectExact('after restore and rollback', { fullSync: true });
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
