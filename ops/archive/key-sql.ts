/**
 * Key lists in SQL: `col IN (?, …)` for one column, `(a, b) IN ((?, ?), …)` for several, in
 * slices so that one statement never carries more than `KEY_BATCH` keys (`TUPLE_BATCH` tuples).
 *
 * MariaDB 10.11 facts about row-constructor IN lists (contact_tags, key (contact_id, tag), 10,000
 * keys, measured): a SELECT chose the secondary index on `tag` (whose entries also hold the key)
 * and took 3.8 s in statements of 1,000 tuples, 42 ms with `FORCE INDEX (PRIMARY)`; a single-table
 * DELETE tests every row against the list one tuple at a time (5.4 s in statements of 1,000, 390 ms
 * in statements of 100), the multi-table form with the index named took 86 ms in statements of 100.
 * Oracle MySQL 9.7 does all of these in 50–200 ms either way. So statements over primary keys name
 * the index (`BY_PRIMARY`), deletes use `deleteByKeysSql`, and several-column lists stay short.
 */
import type { Row } from '../../src/db/connection.js';
import { batches } from '../../src/batches.js';
import { quoteId } from '../../src/db/quote.js';

/** Keys per statement for a one-column key: a chunk of 500 roots with their dependents stays far below max_allowed_packet. */
export const KEY_BATCH = 1000;

/** Tuples per statement for a several-column key (see above: a DELETE's cost grows with rows × tuples). */
export const TUPLE_BATCH = 100;

/** The index hint of a statement that finds rows by their primary key (after the table and its alias). */
export const BY_PRIMARY = 'FORCE INDEX (PRIMARY)';

/**
 * `DELETE` of the rows of `table` (qualified) whose primary key is in `w` (from `keysIn('', …)`),
 * in the multi-table form, the only DELETE that takes an index hint. One table only: a multi-table
 * DELETE over several InnoDB tables may visit them out of foreign-key order.
 */
export function deleteByKeysSql(table: string, w: { sql: string }): string {
  return `DELETE ${table} FROM ${table} ${BY_PRIMARY} WHERE ${w.sql}`;
}

/** `alias.cols IN (…)` over `rows`' values of `columns` (placeholders only), with its parameters. */
export function keysIn(alias: string, columns: readonly string[], rows: readonly Row[]): { sql: string; params: unknown[] } {
  const p = alias ? `${quoteId(alias)}.` : '';
  const params = rows.flatMap((r) => columns.map((c) => r[c]));
  if (columns.length === 1) return { sql: `${p}${quoteId(columns[0]!)} IN (${rows.map(() => '?').join(', ')})`, params };
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  return { sql: `(${columns.map((c) => `${p}${quoteId(c)}`).join(', ')}) IN (${rows.map(() => tuple).join(', ')})`, params };
}

/** One `keysIn` per slice of `rows` (slices of `KEY_BATCH`, or `TUPLE_BATCH` for a several-column key). */
export function keyLists(alias: string, columns: readonly string[], rows: readonly Row[]): { sql: string; params: unknown[] }[] {
  return batches(rows, columns.length === 1 ? KEY_BATCH : TUPLE_BATCH).map((batch) => keysIn(alias, columns, batch));
}
