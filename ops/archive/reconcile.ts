/**
 * Before a run moves anything: chunks a killed run left 'copying'. Until its delete commits, the
 * source is the truth, so an archive row of such a chunk whose key is still live in the source is
 * a copy of a chunk that never committed, and goes; rows whose source row is gone were moved by a
 * commit whose 'done' mark the kill prevented, and stay. Only the chunk's own keys (from the
 * journal) are looked at, never the whole archive table.
 */
import type { TableMeta } from '../../src/catalog/table-meta.js';
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { ARCHIVE_JOURNAL } from './archive-tables.js';
import { keyLists } from './key-sql.js';

/** What reconciling found: the chunks left 'copying' and the archive rows removed. */
export interface Reconciled {
  chunks: number;
  rows: number;
}

/** Reconciles every chunk of `root` left 'copying' in the journal of `archive`. */
export async function reconcileChunks(conn: SqlConnection, source: string, archive: string, root: string, metas: ReadonlyMap<string, TableMeta>): Promise<Reconciled> {
  const open = await conn.query<{ run_id: string; chunk_no: number; chunk_keys: string | null }>(
    `SELECT run_id, chunk_no, chunk_keys FROM ${qualify(archive, ARCHIVE_JOURNAL)} WHERE state = 'copying' AND root_table = ? ORDER BY started_at, chunk_no`,
    [root],
  );
  let rows = 0;
  for (const c of open) {
    // No keys: the kill came before the first archive write of the chunk.
    const keys = c.chunk_keys ? (JSON.parse(c.chunk_keys) as Record<string, unknown[][]>) : {};
    for (const [table, tuples] of Object.entries(keys)) {
      const pk = metas.get(table)?.primaryKey;
      if (!pk) continue;
      const a = qualify(archive, table);
      const on = pk.map((k) => `s.${quoteId(k)} = ${a}.${quoteId(k)}`).join(' AND ');
      for (const w of keyLists('', pk, tuples.map((t) => Object.fromEntries(pk.map((k, i) => [k, t[i]]))))) {
        // Single-table form: MariaDB answers a multi-table `DELETE a FROM db.t AS a` with "No database selected" when the session has none.
        const r = await conn.execute(`DELETE FROM ${a} WHERE ${w.sql} AND EXISTS (SELECT 1 FROM ${qualify(source, table)} AS s WHERE ${on})`, w.params);
        rows += r.affectedRows;
      }
    }
    await conn.execute(`UPDATE ${qualify(archive, ARCHIVE_JOURNAL)} SET state = 'reconciled', finished_at = NOW(6) WHERE run_id = ? AND chunk_no = ?`, [c.run_id, c.chunk_no]);
  }
  return { chunks: open.length, rows };
}
