/**
 * The keyed hashes of rows about to be erased: their primary keys read back as the raw values the
 * server sends in the text protocol (what `rowKeyHash` hashes, so a restore reading a copy of the
 * same column type finds the same hash), never parsed into JS values and never kept.
 */
import type { TableMeta } from '../../src/catalog/table-meta.js';
import type { Row, SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { type ErasureKey, rowKeyHash } from '../../src/erasure/erasure-key.js';
import { BY_PRIMARY, keyLists } from '../archive/key-sql.js';

/** The keyed hashes (hex) of the rows of `schema.meta` whose primary keys `rows` hold. */
export async function hashRowKeys(conn: SqlConnection, schema: string, meta: TableMeta, rows: readonly Row[], key: ErasureKey): Promise<string[]> {
  const out: string[] = [];
  const cols = meta.primaryKey.map((c) => `s.${quoteId(c)}`).join(', ');
  for (const w of keyLists('s', meta.primaryKey, rows)) {
    for await (const values of conn.stream(`SELECT ${cols} FROM ${qualify(schema, meta.name)} AS s ${BY_PRIMARY} WHERE ${w.sql}`, w.params, { raw: true }))
      out.push(rowKeyHash(key, meta.name, values as (string | Buffer | null)[]));
  }
  return out;
}

/** Hashes every table's rows of a subject: table → hashes (tables without rows left out). */
export async function hashSubject(conn: SqlConnection, schema: string, metas: ReadonlyMap<string, TableMeta>, rows: ReadonlyMap<string, readonly Row[]>, key: ErasureKey): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const [t, list] of rows) if (list.length > 0) out.set(t, await hashRowKeys(conn, schema, metas.get(t)!, list, key));
  return out;
}
