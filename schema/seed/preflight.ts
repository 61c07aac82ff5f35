/** Checks the target schema before seeding: migrated, and empty unless told to truncate. */
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import { UsageError } from '../../src/errors.js';

/** The schema the session works in; seeding needs one. */
export async function currentSchema(conn: SqlConnection): Promise<string> {
  const rows = await conn.query<{ db: string | null }>('SELECT DATABASE() AS db');
  const db = rows[0]?.db;
  if (!db) {
    throw new UsageError('no schema selected: seed needs a target that names the CRM schema', {
      hint: 'add the schema to the URL, e.g. mysql://root@127.0.0.1:3306/crm',
    });
  }
  return db;
}

/** Tables among `tables` that hold at least one row. */
export async function tablesWithData(
  conn: SqlConnection,
  schema: string,
  tables: readonly string[],
): Promise<string[]> {
  const full: string[] = [];
  for (const table of tables) {
    const rows = await conn.query(`SELECT 1 AS x FROM ${qualify(schema, table)} LIMIT 1`);
    if (rows.length > 0) full.push(table);
  }
  return full;
}

/**
 * Refuses a schema that is not migrated, or that already has data (unless `truncate`, which
 * empties every CRM table first).
 */
export async function prepareSchema(
  conn: SqlConnection,
  schema: string,
  tables: readonly string[],
  truncate: boolean,
): Promise<void> {
  const present = await conn.query<{ name: string }>(
    'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
    [schema],
  );
  const names = new Set(present.map((r) => r.name));
  const missing = tables.filter((t) => !names.has(t));
  if (missing.length > 0) {
    throw new UsageError(`schema ${schema} is not migrated: missing ${missing.join(', ')}`, {
      hint: 'run `dualpipe migrate` first',
    });
  }
  const full = await tablesWithData(conn, schema, tables);
  if (full.length === 0) return;
  if (!truncate) {
    throw new UsageError(
      `schema ${schema} already has data: seed needs empty tables; drop the schema or use a new one`,
      { hint: `tables with rows: ${full.join(', ')}; or pass --truncate to empty them first` },
    );
  }
  // TRUNCATE of a table that foreign keys point at is refused unless the checks are off.
  await conn.execute('SET SESSION foreign_key_checks = 0');
  try {
    for (const table of [...tables].reverse()) await conn.execute(`TRUNCATE TABLE ${qualify(schema, table)}`);
  } finally {
    await conn.execute('SET SESSION foreign_key_checks = 1');
  }
}
