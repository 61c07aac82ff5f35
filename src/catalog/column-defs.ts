import type { SqlConnection } from '../db/connection.js';
import { quoteId } from '../db/quote.js';
import { SchemaChangedError } from '../errors.js';

/**
 * Column definitions copied from an existing table (type, character set, collation, NULL), for
 * the small MyISAM work tables of incremental runs. `CREATE TABLE … SELECT … LIMIT 0` would be
 * shorter, but MySQL refuses it under `enforce_gtid_consistency` (MyISAM has no atomic DDL).
 * Columns in `notNull` are NOT NULL whatever the table says: the parts of the work table's
 * PRIMARY KEY (a report's key column may be declared NULL, and a generated one is NULL unless
 * declared otherwise; MySQL refuses NULL in a primary key, MariaDB makes it NOT NULL silently).
 */
export async function columnDefs(conn: SqlConnection, schema: string, table: string, only?: readonly string[], notNull: readonly string[] = []): Promise<string[]> {
  const rows = await conn.query<{ c: string; t: string; cs: string | null; co: string | null; n: string }>(
    `SELECT COLUMN_NAME AS c, COLUMN_TYPE AS t, CHARACTER_SET_NAME AS cs, COLLATION_NAME AS co, IS_NULLABLE AS n
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [schema, table],
  );
  const wanted = only ? only.map((name) => rows.find((r) => r.c === name)) : rows;
  return wanted.map((r, i) => {
    if (!r) throw new SchemaChangedError(`${schema}.${table}`, `has no column ${only![i]}`);
    const charset = r.cs && r.co ? ` CHARACTER SET ${r.cs} COLLATE ${r.co}` : '';
    const nullable = r.n === 'YES' && !notNull.some((k) => k.toLowerCase() === r.c.toLowerCase());
    return `${quoteId(r.c)} ${r.t}${charset} ${nullable ? 'NULL' : 'NOT NULL'}`;
  });
}
