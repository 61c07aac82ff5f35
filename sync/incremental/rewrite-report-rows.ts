/**
 * Brings the rows of some keys of a shadow report to those of another table (the refresh's stage
 * table, or the live report), writing only rows that differ. Many changes (a moved `updated_at`)
 * leave report rows as they were, and every row written to a FULLTEXT-indexed MyISAM table costs
 * index work: on the bench, deleting all 13,000 rows of the keys of rpt_interaction_search that a
 * run copied from the live set, most of them unchanged, took 4.7 s. (REPLACE, rewriting a changed
 * row in place, was tried: it cost more, 5.0 s against 3.4 s, where most rows were new ones.)
 * When the report's key is its only unique index, changed rows are updated in place instead
 * (merge-rows.ts): only the indexes whose columns changed are touched.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { quoteId } from '../../src/db/quote.js';
import { mergeRows } from './merge-rows.js';

/** Tables as qualified names; `from` holds rows of the keys in `keys` (and, unless `fromKeyed`, maybe others). */
export interface RewriteRows {
  target: string;
  from: string;
  keys: string;
  /** `from` holds only rows of the keys (a stage table): no join with `keys` to restrict it. */
  fromKeyed: boolean;
  key: readonly string[];
  /**
   * The report's columns but its generated ones, quoted: written, and compared (the server
   * recomputes the others from them; refresh-reports.ts reportColumns).
   */
  cols: readonly string[];
  /** The key is the target's only unique index: changed rows are updated in place (mergesInPlace). */
  inPlace: boolean;
}

/** `a.k1 = b.k1 AND …` over a report's key columns. */
export const reportKeyJoin = (key: readonly string[], a: string, b: string): string => key.map((k) => `${a}.${quoteId(k)} = ${b}.${quoteId(k)}`).join(' AND ');

/** Rewrites the target's rows of the keys; returns the rows deleted, updated in place and inserted. */
export async function rewriteReportRows(conn: SqlConnection, o: RewriteRows): Promise<{ deleted: number; updated: number; inserted: number }> {
  const on = (a: string, b: string) => reportKeyJoin(o.key, a, b);
  if (o.inPlace) return mergeRows(conn, { target: o.target, from: o.from, keys: o.keys, fromKeyed: o.fromKeyed, on, cols: o.cols });
  // Compared as bytes: the reports' collation calls 'jose' and 'José' equal, and a rename must show.
  const same = o.cols.map((c) => `CAST(s.${c} AS BINARY) <=> CAST(r.${c} AS BINARY)`).join(' AND ');
  // Gone or changed: rows of the keys with no identical row in `from`. NOT EXISTS, not an outer
  // join's `key IS NULL`, which is true for a NOT NULL '0000-00-00' key (merge-rows.ts).
  const del = await conn.execute(
    `DELETE r FROM ${o.target} AS r JOIN ${o.keys} AS k ON ${on('r', 'k')}
      WHERE NOT EXISTS (SELECT 1 FROM ${o.from} AS s WHERE ${on('s', 'r')} AND ${same})`,
  );
  const restrict = o.fromKeyed ? '' : `JOIN ${o.keys} AS k ON ${on('s', 'k')}`;
  // New or changed: rows of `from` the target no longer (or never) had.
  const ins = await conn.execute(
    `INSERT INTO ${o.target} (${o.cols.join(', ')}) SELECT ${o.cols.map((c) => `s.${c}`).join(', ')} FROM ${o.from} AS s ${restrict}
      WHERE NOT EXISTS (SELECT 1 FROM ${o.target} AS r WHERE ${on('r', 's')})`,
  );
  return { deleted: del.affectedRows, updated: 0, inserted: ins.affectedRows };
}
