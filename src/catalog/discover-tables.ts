import type { SqlConnection } from '../db/connection.js';
import { MissingSchemaError, UsageError } from '../errors.js';
import type { ColumnMeta, TableMeta } from './table-meta.js';

/** knex's migration bookkeeping in the source schema. It is mirrored like any table, so that a
 * backup carries the schema version together with the data and a restore brings both back. */
export const MIGRATIONS_TABLE_NAME = 'dualpipe_migrations';

/** Which tables to read: by name and by engine. */
export interface DiscoverOptions {
  /** Only these tables (exact names or `*` wildcards); every table when absent or empty. */
  include?: readonly string[];
  /** Never these tables, even when `include` names them. */
  exclude?: readonly string[];
  /** Storage engine of the tables to read (default InnoDB: the source; MyISAM for mirrors). */
  engine?: string;
}

/** Applies include/exclude lists (exact names or `*` wildcards). Pure. */
export function selectTables(all: readonly string[], options: DiscoverOptions): string[] {
  const toRegex = (p: string) =>
    new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`);
  const inc = (options.include ?? []).map(toRegex);
  const exc = (options.exclude ?? []).map(toRegex);
  return all.filter(
    (t) =>
      (inc.length === 0 || inc.some((r) => r.test(t))) &&
      !exc.some((r) => r.test(t)),
  );
}

/**
 * Reads the InnoDB base tables of `schema` with their columns and primary keys. Names are
 * taken from information_schema only, so every identifier we later quote exists.
 */
export async function discoverTables(
  conn: SqlConnection,
  schema: string,
  options: DiscoverOptions = {},
): Promise<TableMeta[]> {
  const tables = await conn.query<{
    name: string;
    engine: string | null;
    rows: number | string | null;
    bytes: number | string | null;
  }>(
    `SELECT TABLE_NAME AS name, ENGINE AS engine, TABLE_ROWS AS \`rows\`, DATA_LENGTH AS bytes
       FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`,
    [schema],
  );
  if (tables.length === 0) {
    const exists = await conn.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [
      schema,
    ]);
    if (exists.length === 0) {
      throw new MissingSchemaError(schema);
    }
  }
  for (const pattern of options.include ?? []) {
    if (!pattern.includes('*') && !tables.some((t) => t.name === pattern)) {
      throw new UsageError(`table ${pattern} is not in schema ${schema}`, {
        hint: 'check --tables / sync.include',
      });
    }
  }
  const chosen = new Set(
    selectTables(
      tables.filter((t) => (t.engine ?? '').toLowerCase() === (options.engine ?? 'InnoDB').toLowerCase()).map((t) => t.name),
      options,
    ),
  );
  const columns = await readColumns(conn, schema);
  const keys = await conn.query<{ t: string; c: string }>(
    `SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = ? AND INDEX_NAME = 'PRIMARY' ORDER BY TABLE_NAME, SEQ_IN_INDEX`,
    [schema],
  );
  const result: TableMeta[] = [];
  for (const t of tables) {
    if (!chosen.has(t.name)) continue;
    result.push({
      name: t.name,
      engine: t.engine ?? '',
      columns: columns.get(t.name) ?? [],
      primaryKey: keys.filter((k) => k.t === t.name).map((k) => k.c),
      estimatedRows: Number(t.rows ?? 0),
      dataBytes: Number(t.bytes ?? 0),
    });
  }
  return result;
}

/**
 * The columns of every table of `schema` (or of `table` only), in order, by table name. A
 * generated column (VIRTUAL or STORED; MariaDB also says PERSISTENT) has a generation expression:
 * the server refuses a value for it in an INSERT or UPDATE list.
 */
export async function readColumns(conn: SqlConnection, schema: string, table?: string): Promise<Map<string, ColumnMeta[]>> {
  const rows = await conn.query<{ t: string; c: string; dt: string; ct: string; n: string; extra: string; g: string | null; cs: string | null }>(
    `SELECT TABLE_NAME AS t, COLUMN_NAME AS c, DATA_TYPE AS dt, COLUMN_TYPE AS ct, IS_NULLABLE AS n,
            EXTRA AS extra, GENERATION_EXPRESSION AS g, CHARACTER_SET_NAME AS cs
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?${table === undefined ? '' : ' AND TABLE_NAME = ?'} ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    table === undefined ? [schema] : [schema, table],
  );
  const out = new Map<string, ColumnMeta[]>();
  for (const c of rows) {
    const list = out.get(c.t) ?? [];
    list.push({
      name: c.c,
      dataType: c.dt.toLowerCase(),
      columnType: c.ct,
      nullable: c.n === 'YES',
      generated: /GENERATED|VIRTUAL|PERSISTENT|STORED/i.test(c.extra ?? '') && (c.g ?? '') !== '',
      charset: c.cs,
    });
    out.set(c.t, list);
  }
  return out;
}
