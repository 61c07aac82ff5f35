/**
 * Key lists in SQL: `col IN (?, …)` for one column, `(a, b) IN ((?, ?), …)` for several, in
 * batches so that one statement never carries more than `KEY_BATCH` tuples.
 */
import type { Row } from '../../src/db/connection.js';
import { quoteId } from '../../src/db/quote.js';

/** Tuples per statement: a chunk of 500 roots with their dependents stays far below max_allowed_packet. */
export const KEY_BATCH = 1000;

/** `alias.cols IN (…)` over `rows`' values of `columns` (placeholders only), with its parameters. */
export function keysIn(alias: string, columns: readonly string[], rows: readonly Row[]): { sql: string; params: unknown[] } {
  const p = alias ? `${quoteId(alias)}.` : '';
  const params = rows.flatMap((r) => columns.map((c) => r[c]));
  if (columns.length === 1) return { sql: `${p}${quoteId(columns[0]!)} IN (${rows.map(() => '?').join(', ')})`, params };
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  return { sql: `(${columns.map((c) => `${p}${quoteId(c)}`).join(', ')}) IN (${rows.map(() => tuple).join(', ')})`, params };
}

/** `items` in slices of at most `size`. */
export function batches<T>(items: readonly T[], size = KEY_BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
