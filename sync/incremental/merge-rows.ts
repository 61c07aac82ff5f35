/**
 * Brings the rows of some keys of a MyISAM table to those of another table, in place: rows whose
 * key is gone are deleted, rows that differ are updated, new rows inserted. An UPDATE writes only
 * the rows whose bytes differ, and MyISAM then touches only the indexes whose columns changed (a
 * FULLTEXT index only for the words that changed); deleting a changed row and inserting it again
 * rewrites every index entry of the row. Measured on the bench's rpt_customer_360 (10,000 rows,
 * two non-indexed columns changed, five secondary indexes): 0.24–0.36 s in place against
 * 0.94–1.13 s deleted and inserted again.
 *
 * In place is only safe when the key is the table's one unique index: a second UNIQUE index
 * could refuse an update half-way through a statement (two rows swapping values), which MyISAM
 * cannot roll back (mergesInPlace says when).
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { copiedValueSql } from '../../src/rows/server-copy-sql.js';

/** The tables and columns of a merge; tables as qualified names, columns quoted. */
export interface MergeRows {
  target: string;
  /** Rows of the keys in `keys` (and, unless `fromKeyed`, maybe others), at most one per key. */
  from: string;
  keys: string;
  fromKeyed: boolean;
  /** `a.k = b.k AND …` over the key. */
  on: (a: string, b: string) => string;
  /** The columns to write, quoted: all the target's stored columns, key included. */
  cols: readonly string[];
  /** Those of `cols` that are SET columns: copied as numbers (src/rows/server-copy-sql.ts). */
  setColumns?: ReadonlySet<string>;
}

/** What a merge did: rows deleted (key gone), updated (bytes differed), inserted (new key). */
export interface MergeResult {
  deleted: number;
  updated: number;
  inserted: number;
}

/**
 * Whether the table's only unique index is over exactly the `key` columns (whole columns, not
 * prefixes): then its rows of a key can be updated in place.
 */
export async function mergesInPlace(conn: SqlConnection, schema: string, table: string, key: readonly string[]): Promise<boolean> {
  const rows = await conn.query<{ i: string; c: string; p: string | number | null }>(
    `SELECT INDEX_NAME AS i, COLUMN_NAME AS c, SUB_PART AS p FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0 ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    [schema, table],
  );
  const names = new Set(rows.map((r) => r.i));
  if (names.size !== 1 || rows.length !== key.length || rows.some((r) => r.p !== null)) return false;
  const cols = new Set(rows.map((r) => r.c.toLowerCase()));
  return key.every((k) => cols.has(k.toLowerCase()));
}

/**
 * Merges `from` into `target` for the keys in `keys` (see the file's comment). "No such row" is
 * NOT EXISTS, not an outer join's `key IS NULL`: MariaDB and MySQL call a NOT NULL DATE or
 * DATETIME '0000-00-00' NULL there, so a zero-date key would look absent.
 */
export async function mergeRows(conn: SqlConnection, o: MergeRows): Promise<MergeResult> {
  const value = (c: string) => copiedValueSql(`s.${c}`, { dataType: o.setColumns?.has(c) ? 'set' : '' });
  const restrict = o.fromKeyed ? '' : `JOIN ${o.keys} AS k ON ${o.on('s', 'k')}`;
  const deleted = await conn.execute(`DELETE r FROM ${o.target} AS r JOIN ${o.keys} AS k ON ${o.on('r', 'k')} WHERE NOT EXISTS (SELECT 1 FROM ${o.from} AS s WHERE ${o.on('s', 'r')})`);
  // The key columns are set too: a key changed to one its collation calls equal ('jose' to
  // 'José') joins its old row and must rewrite it. The server compares the row images byte by
  // byte and writes only rows that differ (changedRows).
  const updated = await conn.execute(`UPDATE ${o.target} AS r JOIN ${o.from} AS s ON ${o.on('s', 'r')} ${restrict} SET ${o.cols.map((c) => `r.${c} = ${value(c)}`).join(', ')}`);
  const inserted = await conn.execute(
    `INSERT INTO ${o.target} (${o.cols.join(', ')}) SELECT ${o.cols.map(value).join(', ')} FROM ${o.from} AS s ${restrict}
      WHERE NOT EXISTS (SELECT 1 FROM ${o.target} AS r WHERE ${o.on('r', 's')})`,
  );
  return { deleted: deleted.affectedRows, updated: updated.changedRows ?? updated.affectedRows, inserted: inserted.affectedRows };
}
