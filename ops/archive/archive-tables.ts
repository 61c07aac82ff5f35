/**
 * The archive schema: one MyISAM table per archived table (its stored columns with their types,
 * its primary key, an index per foreign key so lookups by parent are fast; no foreign keys, no
 * AUTO_INCREMENT), and the journal of chunks. MyISAM because the archive is written once and read
 * by analysts, like the mirrors, and because its writes are not undone by the chunk's rollback:
 * a copy made before a kill stays visible to the next run, which reconciles it (reconcile.ts).
 */
import { columnDefs } from '../../src/catalog/column-defs.js';
import type { TableMeta } from '../../src/catalog/table-meta.js';
import { writableColumns } from '../../src/catalog/table-meta.js';
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { SchemaChangedError } from '../../src/errors.js';
import type { ForeignKey } from '../../src/catalog/foreign-keys.js';
import type { ArchivePlan } from './plan-archive.js';

/** The journal table in the archive schema: one row per chunk of a run. */
export const ARCHIVE_JOURNAL = '_dualpipe_archive_journal';

/** The columns an archive table holds: the stored ones (generated columns are recomputed on the way back). */
export function archivedColumns(meta: TableMeta): string[] {
  return writableColumns(meta).map((c) => c.name);
}

/**
 * Creates the archive schema, its tables for `plan` and the journal when missing. An existing
 * archive table must have the source's columns and types, or the copy could not be checked.
 */
export async function ensureArchiveTables(
  conn: SqlConnection,
  plan: ArchivePlan,
  fks: readonly ForeignKey[],
  schemas: { source: string; archive: string },
  metas: ReadonlyMap<string, TableMeta>,
): Promise<void> {
  const { source, archive } = schemas;
  await conn.execute(`CREATE DATABASE IF NOT EXISTS ${quoteId(archive)}`);
  await conn.execute(
    `CREATE TABLE IF NOT EXISTS ${qualify(archive, ARCHIVE_JOURNAL)} (
       run_id CHAR(36) NOT NULL, chunk_no INT UNSIGNED NOT NULL, root_table VARCHAR(64) NOT NULL,
       state ENUM('copying', 'done', 'reconciled') NOT NULL, root_keys LONGTEXT NOT NULL, chunk_keys LONGTEXT NULL,
       row_counts TEXT NULL, started_at DATETIME(6) NOT NULL, finished_at DATETIME(6) NULL,
       PRIMARY KEY (run_id, chunk_no), KEY state (state)
     ) ENGINE=MyISAM`,
  );
  const existing = new Set(
    (await conn.query<{ t: string }>('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [archive])).map((r) => r.t),
  );
  for (const table of plan.tables) {
    const meta = metas.get(table)!;
    const defs = await columnDefs(conn, source, table, archivedColumns(meta));
    if (existing.has(table)) {
      const have = await columnDefs(conn, archive, table);
      if (have.join(',') !== defs.join(','))
        throw new SchemaChangedError(`${archive}.${table}`, 'its columns differ from the source table', {
          hint: 'the source table changed since the archive table was made: alter the archive table to match',
        });
      // The chunks find archive rows by this key (FORCE INDEX (PRIMARY), REPLACE): without it a copy could not be checked.
      const key = await primaryKeyOf(conn, archive, table);
      if (key.join(',') !== meta.primaryKey.join(','))
        throw new SchemaChangedError(`${archive}.${table}`, `its primary key is (${key.join(', ') || 'none'}), the source's is (${meta.primaryKey.join(', ')})`, {
          hint: `give the archive table the source's primary key: ALTER TABLE ${archive}.${table} ADD PRIMARY KEY (…)`,
        });
      continue;
    }
    const keys = [`PRIMARY KEY (${meta.primaryKey.map(quoteId).join(', ')})`];
    const fkCols = new Set<string>();
    for (const fk of fks) if (fk.child === table) fkCols.add(fk.columns.join('\u0000'));
    [...fkCols].forEach((cols, i) => keys.push(`KEY ${quoteId(`dp_fk_${i + 1}`)} (${cols.split('\u0000').map(quoteId).join(', ')})`));
    await conn.execute(`CREATE TABLE ${qualify(archive, table)} (${[...defs, ...keys].join(', ')}) ENGINE=MyISAM`);
  }
}

/** The columns of `schema.table`'s PRIMARY KEY, in key order (none: empty). */
async function primaryKeyOf(conn: SqlConnection, schema: string, table: string): Promise<string[]> {
  const rows = await conn.query<{ c: string }>(
    "SELECT COLUMN_NAME AS c FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX",
    [schema, table],
  );
  return rows.map((r) => r.c);
}
