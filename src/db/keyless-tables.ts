import type { SqlConnection } from './connection.js';

const ER_UNKNOWN_SYSTEM_VARIABLE = 1193;
const ER_SPECIFIC_ACCESS_DENIED = 1227;

/**
 * Lets this session create tables exactly as their DDL says, keyless ones included. MySQL facts:
 * - `sql_require_primary_key=ON` (8.0.13+) refuses any table without a primary key, MyISAM too, so
 *   the mirror of a keyless source table, a report table or a restored keyless table could not be made.
 * - `sql_generate_invisible_primary_key=ON` (8.0.30+) adds an invisible `my_row_id` key to a keyless
 *   InnoDB table, so a restored table would not be the table that was backed up.
 * Both are turned off for this session when on. Their session values need SESSION_VARIABLES_ADMIN
 * (or SYSTEM_VARIABLES_ADMIN or SUPER); without it they stay on, and only a keyless table fails,
 * with the server's own message naming the variable. MariaDB has neither variable.
 */
export async function allowKeylessTables(conn: SqlConnection): Promise<void> {
  let now: { req: number | string; gipk: number | string } | undefined;
  try {
    now = (await conn.query<{ req: number | string; gipk: number | string }>(
      'SELECT @@SESSION.sql_require_primary_key AS req, @@SESSION.sql_generate_invisible_primary_key AS gipk',
    ))[0];
  } catch (error) {
    if ((error as { errno?: number }).errno === ER_UNKNOWN_SYSTEM_VARIABLE) return; // MariaDB, MySQL < 8.0.30
    throw error;
  }
  for (const [name, value] of [['sql_require_primary_key', now?.req], ['sql_generate_invisible_primary_key', now?.gipk]] as const) {
    if (Number(value) !== 1) continue;
    await conn.execute(`SET SESSION ${name} = OFF`).catch((error: unknown) => {
      if ((error as { errno?: number }).errno !== ER_SPECIFIC_ACCESS_DENIED) throw error;
    });
  }
}
