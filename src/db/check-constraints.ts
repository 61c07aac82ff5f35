import type { SqlConnection } from './connection.js';

/**
 * Lets this session write rows that break a CHECK constraint, for copies of rows that exist.
 * MariaDB keeps rows written under check_constraint_checks=0 that break a CHECK; a mirror, a
 * restore or a merge must bring them back as they are, not refuse them (LOAD DATA turns the
 * refusal into a skipped row and a warning). MySQL has no such variable, and no such rows: it
 * refuses to enforce a CHECK that existing rows break.
 */
export async function allowUncheckedRows(conn: SqlConnection): Promise<void> {
  await conn.execute('SET SESSION check_constraint_checks = 0').catch((error: unknown) => {
    if ((error as { errno?: number }).errno !== 1193) throw error; // ER_UNKNOWN_SYSTEM_VARIABLE
  });
}
