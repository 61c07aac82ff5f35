/**
 * The chunk loop's statements on the root table and the journal: the next root keys in key order,
 * the roots locked again with the filter (a row may have changed since it was picked), and the
 * journal row of a chunk ('copying' before the copy, 'done' after the commit).
 */
import { renderWhere, type WideFilter } from '../../backup/restore/where-filter.js';
import type { TableMeta } from '../../src/catalog/table-meta.js';
import type { Row, SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { ARCHIVE_JOURNAL } from './archive-tables.js';
import { keysIn } from './key-sql.js';

/** Up to `limit` primary keys of `root` rows matching `filter`, after the key of `after`, in key order. */
export async function nextRootKeys(conn: SqlConnection, schema: string, root: TableMeta, filter: WideFilter, after: Row | undefined, limit: number): Promise<Row[]> {
  const pk = root.primaryKey;
  const w = renderWhere(filter, 'r');
  const cols = pk.map((c) => `r.${quoteId(c)}`).join(', ');
  const past = after ? ` AND (${cols}) > (${pk.map(() => '?').join(', ')})` : '';
  return conn.query(
    `SELECT ${cols} FROM ${qualify(schema, root.name)} AS r WHERE ${w.sql}${past} ORDER BY ${cols} LIMIT ${Math.floor(limit)}`,
    [...w.params, ...(after ? pk.map((c) => after[c]) : [])],
  );
}

/** Locks the chunk's roots that still match `filter` (FOR UPDATE) and reads `columns` of them. */
export async function lockRoots(conn: SqlConnection, schema: string, root: TableMeta, columns: readonly string[], filter: WideFilter, keys: readonly Row[]): Promise<Row[]> {
  const w = renderWhere(filter, 'r');
  const k = keysIn('r', root.primaryKey, keys);
  return conn.query(`SELECT ${columns.map((c) => `r.${quoteId(c)}`).join(', ')} FROM ${qualify(schema, root.name)} AS r WHERE ${k.sql} AND ${w.sql} FOR UPDATE`, [...k.params, ...w.params]);
}

/** Writes the journal row of a chunk about to copy (state 'copying', its root keys). */
export async function journalChunk(conn: SqlConnection, archive: string, runId: string, chunkNo: number, root: string, pk: readonly string[], keys: readonly Row[]): Promise<void> {
  await conn.execute(
    `INSERT INTO ${qualify(archive, ARCHIVE_JOURNAL)} (run_id, chunk_no, root_table, state, root_keys, started_at) VALUES (?, ?, ?, 'copying', ?, NOW(6))`,
    [runId, chunkNo, root, JSON.stringify(keys.map((r) => pk.map((c) => r[c])))],
  );
}

/** Marks a committed chunk 'done' with its row counts per table. */
export async function markChunkDone(conn: SqlConnection, archive: string, runId: string, chunkNo: number, leaving: ReadonlyMap<string, Row[]>): Promise<void> {
  const counts = Object.fromEntries([...leaving].map(([t, rows]) => [t, rows.length]));
  await conn.execute(`UPDATE ${qualify(archive, ARCHIVE_JOURNAL)} SET state = 'done', row_counts = ?, finished_at = NOW(6) WHERE run_id = ? AND chunk_no = ?`, [
    JSON.stringify(counts),
    runId,
    chunkNo,
  ]);
}
