/**
 * The CRM world of the forget tests: four contacts with three-level trees (contact → opportunities
 * → stage history, contact → transactions → items), two live (A, B), two archived (C, E); the
 * subject is A, B and C. A `referrals` table references A through SET NULL. Every expectation is
 * read with plain SQL here (crm-subject.ts), never with the product's code.
 */
import { randomBytes } from 'node:crypto';
import { runArchive } from '../../../ops/archive/run-archive.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { type ErasureKey, erasureKeyOf } from '../../../src/erasure/erasure-key.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { columnsOf, rowsOf, SUBJECT } from '../../helpers/crm-subject.js';

/** Rows per table as exact text keyed by primary key. */
export type Snapshot = Map<string, Map<string, string>>;

/** The fixture and what the tests expect of it. */
export interface ForgetWorld {
  fx: CrmFixture;
  conn: SqlConnection;
  key: ErasureKey;
  archive: string;
  live: number[];
  archived: number;
  where: string;
  emails: string[];
  /** Source (InnoDB tables) and archive before the forget. */
  before: Snapshot;
  archiveBefore: Snapshot;
  /** Per subject table, the keys of the subject's rows in the source and in the archive. */
  liveIds: Map<string, Set<string>>;
  archivedIds: Map<string, Set<string>>;
}

/** Rows of every table of `schema` in `tables`. */
export async function snapshot(conn: SqlConnection, schema: string, tables: readonly string[]): Promise<Snapshot> {
  const out: Snapshot = new Map();
  for (const t of tables) out.set(t, (await rowsOf(conn, schema, t, await columnsOf(conn, schema, t))).rows);
  return out;
}

/** The InnoDB (or, for the archive, MyISAM) tables of `schema`, the archive journal left out. */
export async function tablesOf(conn: SqlConnection, schema: string): Promise<string[]> {
  return (await conn.query<{ t: string }>("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME NOT LIKE '\\_%' ORDER BY 1", [schema])).map((r) => r.t);
}

async function idsOf(conn: SqlConnection, contacts: readonly number[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const [t, sql] of Object.entries(SUBJECT)) out.set(t, new Set((await conn.query<{ id: unknown }>(sql.replace('?', contacts.join(', ')))).map((r) => String(r.id))));
  return out;
}

/** Builds the world: seed, pick contacts, archive C and E, add referrals, sync (after `beforeSync`, e.g. a capture install). */
export async function forgetWorld(prefix: string, beforeSync?: (fx: CrmFixture) => Promise<void>): Promise<ForgetWorld> {
  const fx = await createCrmFixture(prefix, 0.01);
  const conn = await fx.connector.connect();
  const picked = (
    await conn.query<{ id: number }>(
      `SELECT c.id FROM contacts c WHERE c.email IS NOT NULL
         AND EXISTS (SELECT 1 FROM opportunities o JOIN opportunity_stage_history h ON h.opportunity_id = o.id WHERE o.contact_id = c.id)
         AND EXISTS (SELECT 1 FROM transactions t JOIN transaction_items i ON i.transaction_id = t.id WHERE t.contact_id = c.id)
       ORDER BY c.id LIMIT 5`,
    )
  ).map((r) => Number(r.id));
  if (picked.length < 5) throw new Error(`only ${picked.length} contacts with three-level trees`);
  const [a, b, c, e, other] = picked as [number, number, number, number, number];
  const emails = (await conn.query<{ e: string }>(`SELECT email AS e FROM contacts WHERE id IN (${a}, ${b}, ${c})`)).map((r) => r.e);
  const archivedIds = await idsOf(conn, [c]);
  const archive = `${fx.database}_archive`;
  await runArchive({ pipeline: fx.pipeline, where: `contacts.id IN (${c}, ${e})`, archiveSchema: archive });
  await conn.execute('CREATE TABLE referrals (id INT PRIMARY KEY, contact_id BIGINT UNSIGNED NULL, CONSTRAINT fk_referrals_contact FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE SET NULL) ENGINE=InnoDB');
  await conn.execute('INSERT INTO referrals VALUES (1, ?), (2, ?)', [a, other]);
  await beforeSync?.(fx);
  await runSync({ pipeline: fx.pipeline });
  return {
    fx,
    conn,
    key: erasureKeyOf(randomBytes(32)),
    archive,
    live: [a, b],
    archived: c,
    where: `contacts.id IN (${a}, ${b}, ${c})`,
    emails,
    before: await snapshot(conn, fx.database, await tablesOf(conn, fx.database)),
    archiveBefore: await snapshot(conn, archive, await tablesOf(conn, archive)),
    liveIds: await idsOf(conn, [a, b]),
    archivedIds,
  };
}

/** `snap` without the rows `ids` names, per table. */
export function without(snap: Snapshot, ids: ReadonlyMap<string, ReadonlySet<string>>): Snapshot {
  return new Map([...snap].map(([t, rows]) => [t, new Map([...rows].filter(([id]) => !ids.get(t)?.has(id)))]));
}

/** Sorted entries of a table's rows, for toEqual. */
export const sorted = (rows: ReadonlyMap<string, string> | undefined) => [...(rows ?? new Map<string, string>())].sort();

/** Asserts the source, archive and mirrors hold exactly the expected rows: the before-image without the subject, referral 1 nulled. */
export async function expectForgotten(w: ForgetWorld, expect: (v: unknown, m?: string) => { toEqual(x: unknown): void }): Promise<void> {
  const want = without(w.before, w.liveIds);
  // Referral 1 pointed at contact A: ON DELETE SET NULL (HEX of the INT id, N for NULL).
  want.get('referrals')!.set('1', '1|N');
  const now = await snapshot(w.conn, w.fx.database, await tablesOf(w.conn, w.fx.database));
  for (const [t, rows] of want) expect(sorted(now.get(t)), `${t} in the source`).toEqual(sorted(rows));
  const arch = await snapshot(w.conn, w.archive, await tablesOf(w.conn, w.archive));
  for (const [t, rows] of without(w.archiveBefore, w.archivedIds)) expect(sorted(arch.get(t)), `${t} in the archive`).toEqual(sorted(rows));
  // The mirrors: the same rows over the mirror's columns.
  for (const [t, rows] of want) {
    const all = await columnsOf(w.conn, w.fx.database, t);
    const cols = await columnsOf(w.conn, w.fx.reportSchema, t);
    const idx = cols.map((c) => all.indexOf(c));
    const exp = new Map([...rows].map(([id, r]) => [id, idx.map((i) => r.split('|')[i]).join('|')]));
    expect(sorted((await rowsOf(w.conn, w.fx.reportSchema, t, cols)).rows), `${t} in the mirrors`).toEqual(sorted(exp));
  }
}
