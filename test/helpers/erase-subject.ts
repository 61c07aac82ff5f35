/**
 * A simulated `dualpipe forget` for restore tests, with the erasure core only (src/erasure/; the
 * command itself is built and tested elsewhere): the subject's rows are hashed by their raw
 * primary keys, deleted from the source (its dependents cascade) in one transaction with the
 * ledger entry, the entry copied to the report side's ledger, and optionally the subject's rows
 * deleted from the mirrors too (plain SQL over crm-subject.ts, children first).
 */
import { randomUUID } from 'node:crypto';
import { internalSchemaOf } from '../../src/catalog/internal-schema.js';
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { type ErasureKey, rowKeyHash } from '../../src/erasure/erasure-key.js';
import { appendErasure, type ErasureEntry } from '../../src/erasure/ledger.js';
import { ensureLedgerTables } from '../../src/erasure/ledger-tables.js';
import type { CrmFixture } from './crm-fixture.js';
import { SUBJECT, subjectCounts } from './crm-subject.js';

/** Children before parents: the subject SQL of a child joins its parent. */
const ORDER = ['opportunity_stage_history', 'transaction_items', 'addresses', 'contact_tags', 'interactions', 'opportunities', 'transactions', 'automation_runs', 'contacts'];

/** SQL selecting the raw primary keys of the subject's rows of `table` in `schema`. */
function keysSql(schema: string, table: string, ids: readonly number[]): string {
  if (table === 'contact_tags') return `SELECT contact_id, tag FROM ${qualify(schema, table)} WHERE contact_id IN (${ids.join(', ')})`;
  const sub = SUBJECT[table]!.replace('?', ids.join(', ')).replace(/ (FROM|JOIN) (\w+)/g, (_m, kw: string, t: string) => ` ${kw} ${qualify(schema, t)}`);
  return `SELECT id FROM ${qualify(schema, table)} WHERE id IN (SELECT id FROM (${sub}) AS s)`;
}

/** A contact with a 3-level tree: opportunities with stage history, and transactions with items. */
export async function contactWithTree(conn: SqlConnection, schema: string): Promise<number> {
  const [r] = await conn.query<{ id: number }>(
    `SELECT c.id FROM ${qualify(schema, 'contacts')} c WHERE EXISTS (SELECT 1 FROM ${qualify(schema, 'opportunities')} o JOIN ${qualify(schema, 'opportunity_stage_history')} h ON h.opportunity_id = o.id WHERE o.contact_id = c.id) ` +
      `AND EXISTS (SELECT 1 FROM ${qualify(schema, 'transactions')} t JOIN ${qualify(schema, 'transaction_items')} i ON i.transaction_id = t.id WHERE t.contact_id = c.id) ORDER BY c.id LIMIT 1`,
  );
  if (!r) throw new Error('no contact with a 3-level tree: raise the fixture scale');
  return Number(r.id);
}

/** Erases the contacts `ids` as forget would; returns the entry and the subject's rows per table (those with any). */
export async function eraseSubject(fx: CrmFixture, conn: SqlConnection, ids: readonly number[], key: ErasureKey, o: { mirrors: boolean }): Promise<{ entry: ErasureEntry; counts: Record<string, number> }> {
  const counts = Object.fromEntries(Object.entries(await subjectCounts(conn, ids)).filter(([, n]) => n > 0));
  const hashes = new Map<string, string[]>();
  for (const t of Object.keys(counts)) {
    const list: string[] = [];
    for await (const v of conn.stream(keysSql(fx.database, t, ids), [], { raw: true })) list.push(rowKeyHash(key, t, v as Buffer[]));
    hashes.set(t, list);
  }
  const total = Object.values(counts).reduce((a, n) => a + n, 0);
  const entry: ErasureEntry = { id: randomUUID(), erasedAt: new Date().toISOString(), erasedBy: 'test@localhost', reason: 'test erasure', sourceSchema: fx.database, rootTable: 'contacts', keyId: key.id, rowCounts: counts, totalRows: total };
  const ledger = internalSchemaOf(fx.database);
  await conn.execute(`CREATE DATABASE IF NOT EXISTS ${quoteId(ledger)}`);
  await ensureLedgerTables(conn, ledger, 'source');
  await conn.execute('START TRANSACTION');
  await conn.execute(`DELETE FROM ${qualify(fx.database, 'contacts')} WHERE id IN (${ids.join(', ')})`);
  await appendErasure(conn, ledger, entry, hashes);
  await conn.execute('COMMIT');
  const report = internalSchemaOf(fx.reportSchema);
  await conn.execute(`CREATE DATABASE IF NOT EXISTS ${quoteId(report)}`);
  await ensureLedgerTables(conn, report, 'report');
  await appendErasure(conn, report, entry, hashes);
  if (o.mirrors) await eraseMirrors(fx, conn, ids);
  return { entry, counts };
}

/** Deletes the subject's rows from the mirrors (MyISAM: no cascades), children first. */
export async function eraseMirrors(fx: CrmFixture, conn: SqlConnection, ids: readonly number[]): Promise<void> {
  for (const t of ORDER) {
    const where = t === 'contact_tags' ? `contact_id IN (${ids.join(', ')})` : `id IN (SELECT id FROM (${keysSql(fx.reportSchema, t, ids)}) AS k)`;
    await conn.execute(`DELETE FROM ${qualify(fx.reportSchema, t)} WHERE ${where}`);
  }
}
