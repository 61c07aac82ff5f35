/**
 * What the target server accepts, probed once per run, so that the generator emits only DDL and
 * values this server takes (MariaDB and MySQL each have features the other lacks). Every flag is
 * a probe of the feature itself, not a reading of the version string.
 */
import type { SqlConnection } from '../../src/db/connection.js';

/** The target server's family and the generator-relevant features it has. */
export interface ServerFeatures {
  flavor: 'mariadb' | 'mysql';
  /** `WITH SYSTEM VERSIONING` tables (MariaDB). */
  systemVersioning: boolean;
  /** Functional (expression) key parts, `INDEX ((expr))` (MySQL 8.0.13+). */
  functionalIndexes: boolean;
  /** JSON as its own binary type, `CAST(… AS JSON)` and opaque values (MySQL; MariaDB's JSON is LONGTEXT). */
  binaryJson: boolean;
  /** `sql_generate_invisible_primary_key`: a keyless InnoDB table gets an INVISIBLE `my_row_id` key (MySQL 8.0.30+). */
  invisiblePk: boolean;
  /** `check_constraint_checks` (MariaDB): a session may write rows that violate a CHECK. */
  checkConstraintChecks: boolean;
}

/** True when the statement runs. */
async function accepts(conn: SqlConnection, sql: string): Promise<boolean> {
  try {
    await conn.execute(sql);
    return true;
  } catch {
    return false;
  }
}

/** Probes the server once (nothing is created: each probe is a SELECT or a variable read). */
export async function probeServer(conn: SqlConnection): Promise<ServerFeatures> {
  const v = await conn.query<{ v: string }>('SELECT VERSION() AS v');
  const vars = new Set(
    (await conn.query<{ Variable_name: string }>(
      "SHOW VARIABLES WHERE Variable_name IN ('system_versioning_alter_history', 'sql_generate_invisible_primary_key', 'check_constraint_checks')",
    )).map((r) => r.Variable_name),
  );
  // information_schema.STATISTICS.EXPRESSION exists for functional key parts (and only with them).
  const functionalIndexes = await accepts(conn, 'SELECT EXPRESSION FROM information_schema.STATISTICS LIMIT 0');
  return {
    flavor: /mariadb/i.test(v[0]?.v ?? '') ? 'mariadb' : 'mysql',
    systemVersioning: vars.has('system_versioning_alter_history'),
    functionalIndexes,
    binaryJson: await accepts(conn, "SELECT JSON_TYPE(CAST('1' AS JSON))"),
    invisiblePk: vars.has('sql_generate_invisible_primary_key'),
    checkConstraintChecks: vars.has('check_constraint_checks'),
  };
}
