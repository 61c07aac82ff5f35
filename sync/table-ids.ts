import type { SqlConnection } from '../src/db/connection.js';

/**
 * InnoDB's internal id of each table of `schema`. TRUNCATE TABLE fires no triggers, but it
 * recreates the table, so its id changes (so do ALTERs that rebuild it): an incremental sync that
 * sees a new id copies that table whole. MySQL 8 names the view INNODB_TABLES, MariaDB
 * INNODB_SYS_TABLES; both need the PROCESS privilege. Null when neither can be read.
 */
export async function readTableIds(conn: SqlConnection, schema: string): Promise<Record<string, string> | null> {
  for (const view of ['INNODB_TABLES', 'INNODB_SYS_TABLES']) {
    try {
      const rows = await conn.query<{ name: string; id: string | number }>(
        `SELECT NAME AS name, TABLE_ID AS id FROM information_schema.${view} WHERE NAME LIKE ?`,
        [`${schema.replace(/[\\%_]/g, '\\$&')}/%`],
      );
      const out: Record<string, string> = {};
      for (const r of rows) out[r.name.slice(schema.length + 1)] = String(r.id);
      return out;
    } catch {
      // not this flavour, or no PROCESS privilege
    }
  }
  return null;
}
