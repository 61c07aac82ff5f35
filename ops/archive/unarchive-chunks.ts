/**
 * How an unarchive survives a kill. A chunk's rows are inserted into the source and a marker row
 * (the chunk's keys) into `<source>__dualpipe.unarchive_chunks` in ONE InnoDB transaction; only
 * after its COMMIT are the archive copies deleted (MyISAM: no rollback) and the marker set 'done'.
 * So after a kill a chunk either never happened (no marker, the archive untouched) or is
 * 'committed': the next run deletes the archive copies of its keys, and only those whose source
 * row is still there (an archive run since may have moved a row back into the archive).
 */
import { ensureInternalSchema } from '../../src/catalog/internal-schema.js';
import type { TableMeta } from '../../src/catalog/table-meta.js';
import type { Row, SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { keyLists } from './key-sql.js';

/** The marker table, in the source's internal schema. */
export const UNARCHIVE_CHUNKS = 'unarchive_chunks';

/** Creates the source's internal schema and the marker table when missing; returns the schema. */
export async function ensureUnarchiveMarkers(conn: SqlConnection, source: string): Promise<string> {
  const internal = await ensureInternalSchema(conn, source);
  await conn.execute(
    `CREATE TABLE IF NOT EXISTS ${qualify(internal, UNARCHIVE_CHUNKS)} (
       run_id CHAR(36) NOT NULL, chunk_no INT UNSIGNED NOT NULL, archive_schema VARCHAR(64) NOT NULL,
       state ENUM('committed', 'done') NOT NULL, chunk_keys LONGTEXT NOT NULL, committed_at DATETIME(6) NOT NULL,
       PRIMARY KEY (run_id, chunk_no), KEY state (state, archive_schema)
     ) ENGINE=InnoDB`,
  );
  return internal;
}

/** The chunk's keys per table, as the marker stores them. */
export type ChunkKeys = Record<string, unknown[][]>;

/** Writes a chunk's marker inside the caller's open transaction. */
export async function markCommitted(conn: SqlConnection, internal: string, archive: string, runId: string, chunkNo: number, keys: ChunkKeys): Promise<void> {
  await conn.execute(`INSERT INTO ${qualify(internal, UNARCHIVE_CHUNKS)} (run_id, chunk_no, archive_schema, state, chunk_keys, committed_at) VALUES (?, ?, ?, 'committed', ?, NOW(6))`, [
    runId,
    chunkNo,
    archive,
    JSON.stringify(keys),
  ]);
}

/** Deletes the archive copies of a committed chunk (children first) whose source rows exist, then marks it 'done'; returns rows deleted. */
export async function finishChunk(
  conn: SqlConnection,
  s: { source: string; archive: string; internal: string },
  metas: ReadonlyMap<string, TableMeta>,
  deleteOrder: readonly string[],
  runId: string,
  chunkNo: number,
  keys: ChunkKeys,
): Promise<number> {
  let rows = 0;
  for (const table of deleteOrder) {
    const pk = metas.get(table)?.primaryKey;
    const tuples = keys[table];
    if (!pk || !tuples) continue;
    const a = qualify(s.archive, table);
    const on = pk.map((k) => `s.${quoteId(k)} = ${a}.${quoteId(k)}`).join(' AND ');
    for (const w of keyLists('', pk, tuples.map((t): Row => Object.fromEntries(pk.map((k, i) => [k, t[i]]))))) {
      const r = await conn.execute(`DELETE FROM ${a} WHERE ${w.sql} AND EXISTS (SELECT 1 FROM ${qualify(s.source, table)} AS s WHERE ${on})`, w.params);
      rows += r.affectedRows;
    }
  }
  await conn.execute(`UPDATE ${qualify(s.internal, UNARCHIVE_CHUNKS)} SET state = 'done' WHERE run_id = ? AND chunk_no = ?`, [runId, chunkNo]);
  return rows;
}

/** Finishes every chunk a killed unarchive of `archive` left 'committed'; returns chunks and rows. */
export async function finishLeftChunks(
  conn: SqlConnection,
  s: { source: string; archive: string; internal: string },
  metas: ReadonlyMap<string, TableMeta>,
  deleteOrder: readonly string[],
): Promise<{ chunks: number; rows: number }> {
  const open = await conn.query<{ run_id: string; chunk_no: number; chunk_keys: string }>(
    `SELECT run_id, chunk_no, chunk_keys FROM ${qualify(s.internal, UNARCHIVE_CHUNKS)} WHERE state = 'committed' AND archive_schema = ? ORDER BY committed_at, chunk_no`,
    [s.archive],
  );
  let rows = 0;
  for (const c of open) rows += await finishChunk(conn, s, metas, deleteOrder, c.run_id, Number(c.chunk_no), JSON.parse(c.chunk_keys) as ChunkKeys);
  return { chunks: open.length, rows };
}
