/**
 * Key lists in SQL: `col IN (?, …)` for one column, `(a, b) IN ((?, ?), …)` for several, in
 * batches so that one statement never carries more than `KEY_BATCH` tuples.
 *
 * MariaDB fact: a row-constructor IN list is not turned into index ranges (10.11 read a
 * 300,000-row contact_tags table for `(contact_id, tag) IN (…)`, 0.2–0.5 s a statement). The
 * several-column form therefore also says `a IN (…the distinct first values…)`: a range on the
 * leading column of the key's index that both servers use, and the tuple list filters within it.
 */
import type { Row } from '../../src/db/connection.js';
import { quoteId } from '../../src/db/quote.js';

/** Keys per statement for a one-column key: a chunk of 500 roots with their dependents stays far below max_allowed_packet. */
export const KEY_BATCH = 1000;

/**
 * Tuples per statement for a several-column key. Both servers test each row a range finds against
 * the tuple list one tuple at a time, so a statement costs rows × tuples comparisons: measured on
 * 1,000 contact_tags rows (MariaDB 10.11), a SELECT … FOR UPDATE and a DELETE took 220 ms and
 * 490 ms in one statement of 1,000 tuples, 32 ms and 32 ms in ten of 100.
 */
export const TUPLE_BATCH = 100;

/** `alias.cols IN (…)` over `rows`' values of `columns` (placeholders only), with its parameters. */
export function keysIn(alias: string, columns: readonly string[], rows: readonly Row[]): { sql: string; params: unknown[] } {
  const p = alias ? `${quoteId(alias)}.` : '';
  const params = rows.flatMap((r) => columns.map((c) => r[c]));
  if (columns.length === 1) return { sql: `${p}${quoteId(columns[0]!)} IN (${rows.map(() => '?').join(', ')})`, params };
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const first = [...new Map(rows.map((r) => [leadKey(r[columns[0]!]), r[columns[0]!]])).values()];
  return {
    sql: `(${p}${quoteId(columns[0]!)} IN (${first.map(() => '?').join(', ')}) AND (${columns.map((c) => `${p}${quoteId(c)}`).join(', ')}) IN (${rows.map(() => tuple).join(', ')}))`,
    params: [...first, ...params],
  };
}

/** A value's identity for the distinct first-column list (Buffers and dates by content). */
function leadKey(v: unknown): string {
  if (v === null || v === undefined) return '\u0001N';
  if (Buffer.isBuffer(v)) return `b:${v.toString('hex')}`;
  if (v instanceof Date) return `d:${v.getTime()}`;
  if (typeof v === 'string') return `s:${v}`;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return `${typeof v}:${v}`;
  return `j:${JSON.stringify(v)}`;
}

/** One `keysIn` per slice of `rows` (slices of `KEY_BATCH`, or `TUPLE_BATCH` for a several-column key). */
export function keyLists(alias: string, columns: readonly string[], rows: readonly Row[]): { sql: string; params: unknown[] }[] {
  return batches(rows, columns.length === 1 ? KEY_BATCH : TUPLE_BATCH).map((batch) => keysIn(alias, columns, batch));
}

/** `items` in slices of at most `size`. */
export function batches<T>(items: readonly T[], size = KEY_BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
