/**
 * The CRM fixture of the incremental-sync tests, with keys of other shapes added, capture installed
 * by either method, and a first (full) sync run. Its checks share nothing with the sync: mirrors are
 * compared with the source by an independent digest (SHA-256 of every row), reports with reports
 * built from scratch (the report SQL over the source), optionally proven by a real full sync.
 */
import { expect } from 'vitest';
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import { installCapture } from '../../sync/capture/capture.js';
import type { CaptureMethod } from '../../sync/capture/capture-method.js';
import { installChangeCapture } from '../../ops/change-capture.js';
import { type IncrementalResult, runIncrementalSync } from '../../sync/incremental/run-incremental.js';
import { runSync, type SyncOptions } from '../../sync/full/run-sync.js';
import { type CrmFixture, createCrmFixture } from './crm-fixture.js';
import { reportsFromScratch } from './reports-from-scratch.js';
import { schemaDigest } from './table-digest.js';
import { testPipeline } from './test-database.js';

const REPORTS = ['rpt_customer_360', 'rpt_interaction_search', 'rpt_pipeline_by_stage_owner', 'rpt_revenue_by_month'];

/** An incremental-sync fixture and its checks. */
export interface IncrementalFixture {
  fx: CrmFixture;
  conn: SqlConnection;
  options: SyncOptions;
  /** Every source table, the added ones included. */
  sourceTables: string[];
  /** `table` of the source schema, quoted. */
  q: (table: string) => string;
  /** Mirrors equal the source; reports equal those built from scratch, and (`fullSync`) those of a real full sync. */
  expectExact: (label: string, o?: { fullSync?: boolean }) => Promise<void>;
  /** Runs an incremental sync and expects it to have run as one. */
  incremental: () => Promise<IncrementalResult>;
  /** A contact with at least one transaction that has items, and an interaction. */
  contactWithTree: () => Promise<number>;
  /**
   * Changes of every kind a catch-up must carry (`tag` and `n` vary them): updates, a re-parent then
   * a cascade, deletes (CASCADE and SET NULL), an insert.
   */
  changeSome: (tag: string, n: number) => Promise<void>;
  close: () => Promise<void>;
}

/** Creates the fixture (`tag` names its schemas), installs capture by `method`, runs the first sync. */
export async function createIncrementalFixture(tag: string, method: CaptureMethod): Promise<IncrementalFixture> {
  const fx = await createCrmFixture(tag, 0.01);
  const conn = await fx.connector.connect();
  const q = (t: string) => qualify(fx.database, t);
  // Keys of other shapes: a case-insensitive string key, and a composite key with a binary part.
  await conn.execute(`CREATE TABLE ${q('codes')} (code VARCHAR(20) NOT NULL PRIMARY KEY, n INT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await conn.execute(`INSERT INTO ${q('codes')} VALUES ('abc', 1), ('tab\\there', 2), ('zzz', 3)`);
  await conn.execute(`CREATE TABLE ${q('bins')} (a INT NOT NULL, b VARBINARY(8) NOT NULL, v TEXT NULL, PRIMARY KEY (a, b)) ENGINE=InnoDB`);
  await conn.execute(`INSERT INTO ${q('bins')} VALUES (1, X'00FF', 'one'), (1, X'0A09', 'two'), (2, X'', NULL)`);
  // A TIMESTAMP key, written by the tests from a session in another time zone than the sync's UTC.
  await conn.execute(`CREATE TABLE ${q('events')} (at TIMESTAMP(6) NOT NULL PRIMARY KEY, v INT NULL) ENGINE=InnoDB`);
  await conn.execute(`INSERT INTO ${q('events')} VALUES ('2024-03-01 10:00:00.5', 1), ('2024-03-01 11:00:00', 2)`);
  const sourceTables = [...fx.tables, 'codes', 'bins', 'events'];
  if (method === 'triggers') await installCapture(conn, fx.database);
  else await installChangeCapture(fx.pipeline, { method });
  const options: SyncOptions = { pipeline: fx.pipeline, chunkRows: 500 };
  const first = await runIncrementalSync(options);
  expect(first.fullSyncReason).toBe('no earlier sync');

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
  async function contactWithTree(): Promise<number> {
    const rows = await conn.query<{ id: number }>(
      `SELECT c.id FROM ${q('contacts')} c JOIN ${q('transactions')} t ON t.contact_id = c.id
         JOIN ${q('transaction_items')} i ON i.transaction_id = t.id JOIN ${q('interactions')} x ON x.contact_id = c.id
        ORDER BY c.id LIMIT 1`,
    );
    return Number(rows[0]!.id);
  }
  async function changeSome(tag: string, n: number): Promise<void> {
    const victim = await contactWithTree();
    await conn.execute(`UPDATE ${q('contacts')} SET first_name = CONCAT(first_name, ?) WHERE id % ? = 0`, [tag, 5 + n]);
    await conn.execute(`UPDATE ${q('transactions')} SET contact_id = ? WHERE id % ? = 0`, [victim, 11 + n]);
    await conn.execute(`DELETE FROM ${q('contacts')} WHERE id = ?`, [victim]);
    await conn.execute(`DELETE FROM ${q('organizations')} WHERE id % ? = 0`, [23 + n]);
    await conn.execute(`INSERT INTO ${q('codes')} (code, n) VALUES (?, ?)`, [`c-${tag}`, n]);
  }
  return {
    fx,
    conn,
    options,
    sourceTables,
    q,
    expectExact,
    incremental,
    contactWithTree,
    changeSome,
    close: async () => {
      await conn.close();
      await fx.drop();
    },
  };
}
