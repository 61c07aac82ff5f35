/**
 * Plain-SQL views of the CRM for archive tests (no product code): the rows of a contact's subject
 * per table, a table's columns, and a table's rows as exact text keyed by primary key.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';

/** The contacts subject in the CRM: table → SQL giving the keys of its rows for contact ids in `(?)`. */
export const SUBJECT: Record<string, string> = {
  contacts: 'SELECT id FROM contacts WHERE id IN (?)',
  addresses: 'SELECT id FROM addresses WHERE contact_id IN (?)',
  contact_tags: "SELECT CONCAT_WS('/', contact_id, tag) AS id FROM contact_tags WHERE contact_id IN (?)",
  interactions: 'SELECT id FROM interactions WHERE contact_id IN (?)',
  opportunities: 'SELECT id FROM opportunities WHERE contact_id IN (?)',
  opportunity_stage_history: 'SELECT h.id FROM opportunity_stage_history h JOIN opportunities o ON o.id = h.opportunity_id WHERE o.contact_id IN (?)',
  transactions: 'SELECT id FROM transactions WHERE contact_id IN (?)',
  transaction_items: 'SELECT i.id FROM transaction_items i JOIN transactions t ON t.id = i.transaction_id WHERE t.contact_id IN (?)',
  automation_runs: 'SELECT id FROM automation_runs WHERE contact_id IN (?)',
};

/** Rows of each subject table that depend on the contacts `ids` (plain SQL over the live data: an oracle), on a session whose default schema is the CRM's. */
export async function subjectCounts(conn: SqlConnection, ids: readonly number[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [t, sql] of Object.entries(SUBJECT)) out[t] = (await conn.query(sql.replace('?', ids.join(', ')))).length;
  return out;
}

/** A table's column names in order. */
export async function columnsOf(conn: SqlConnection, schema: string, table: string): Promise<string[]> {
  const r = await conn.query<{ c: string }>('SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION', [schema, table]);
  return r.map((x) => x.c);
}

/** Rows of `schema.table` over `cols` as exact text (HEX of each value, N for NULL) keyed by primary key (`a/b`), and the raw row count. */
export async function rowsOf(conn: SqlConnection, schema: string, table: string, cols: string[]): Promise<{ rows: Map<string, string>; count: number }> {
  const pk = (
    await conn.query<{ c: string }>("SELECT COLUMN_NAME AS c FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX", [schema, table])
  ).map((r) => r.c);
  const key = (table === 'contact_tags' ? ['contact_id', 'tag'] : pk.length > 0 ? pk : ['id']).map(quoteId).join(', ');
  const rows = await conn.query<{ id: string; r: string }>(
    `SELECT CONCAT_WS('/', ${key}) AS id, CONCAT_WS('|', ${cols.map((c) => `IFNULL(HEX(${quoteId(c)}), 'N')`).join(', ')}) AS r FROM ${qualify(schema, table)}`,
  );
  return { rows: new Map(rows.map((x) => [String(x.id), x.r])), count: rows.length };
}
