import type { SqlConnection } from '../db/connection.js';
import { qualify } from '../db/quote.js';
import { TEMP_NAME_PATTERN } from './temp-names.js';
import { internalSchemaOf } from './internal-schema.js';

/**
 * Drops the temporary tables a crashed or killed run left in the report schema `schema` (a full
 * sync's staging tables) and its internal schema (work tables of a run). Called under the run
 * lock, so no live run owns them. Live report tables are never touched: a run only makes its
 * tables live with one atomic RENAME.
 */
export async function cleanupLeftovers(conn: SqlConnection, schema: string): Promise<string[]> {
  const leftovers: string[] = [];
  for (const s of [schema, internalSchemaOf(schema)]) {
    const rows = await conn.query<{ t: string }>(
      `SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE '\\_\\_dp\\_%'`,
      [s],
    );
    for (const t of rows.map((r) => r.t).filter((name) => TEMP_NAME_PATTERN.test(name))) {
      await conn.execute(`DROP TABLE IF EXISTS ${qualify(s, t)}`);
      leftovers.push(t);
    }
  }
  return leftovers;
}

/** Base tables in the report schema now. */
export async function listReportTables(conn: SqlConnection, schema: string): Promise<string[]> {
  const rows = await conn.query<{ t: string }>(
    `SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'`,
    [schema],
  );
  return rows.map((r) => r.t);
}
