import type { SqlConnection } from '../../src/db/connection.js';
import { ROLE_GRANTS } from './role-privileges.js';

/**
 * The tables a grant plan may name, as `schema.table`: every table of the source and report schemas,
 * and the system tables (`mysql.*`) a role's grant names that exist on this server (mysql.gtid_executed
 * on MySQL only). `grants` plans from this, and `doctor` checks accounts against the same plan.
 */
export async function readGrantTables(conn: SqlConnection, sourceSchema: string, reportSchema: string): Promise<Set<string>> {
  const system = Object.values(ROLE_GRANTS).flatMap((gs) => gs.flatMap((g) => (g.scope === 'system-table' && g.table ? [g.table] : [])));
  const found = await conn.query<{ s: string; t: string }>(
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t FROM information_schema.TABLES
      WHERE TABLE_SCHEMA IN (?, ?)${system.length ? ` OR (TABLE_SCHEMA = 'mysql' AND TABLE_NAME IN (${system.map(() => '?').join(', ')}))` : ''}`,
    [sourceSchema, reportSchema, ...system],
  );
  return new Set(found.map((r) => `${r.s}.${r.t}`));
}
