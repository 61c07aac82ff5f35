/**
 * An exact picture of a table's rows for round-trip tests, sharing no code with the product:
 * every string, binary, JSON and GEOMETRY value as HEX of its stored bytes, FLOAT as the double it
 * holds (mysql2 shows FLOAT with 6 digits), DOUBLE with its sign (-0), ENUM and SET as their index
 * and their bytes, everything else as the server's text. Rows in primary key order.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';

const AS_TEXT = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'bigint', 'decimal', 'date', 'datetime', 'timestamp', 'time', 'year']);

function exactExpr(dataType: string, name: string): string {
  const c = quoteId(name);
  if (dataType === 'float') return `CONCAT(CAST(${c} AS DOUBLE), IF(ATAN2(${c}, -1) < 0, ' (neg)', ''))`;
  if (dataType === 'double') return `CONCAT(${c}, IF(ATAN2(${c}, -1) < 0, ' (neg)', ''))`;
  if (dataType === 'enum' || dataType === 'set') return `CONCAT(${c}+0, ':', HEX(${c}))`;
  if (AS_TEXT.has(dataType)) return `CONCAT(${c})`;
  return `HEX(${c})`;
}

/** The rows of `schema.table`, each field exact, ordered by the first column. */
export async function exactRows(conn: SqlConnection, schema: string, table: string): Promise<(string | null)[][]> {
  const cols = await conn.query<{ n: string; t: string }>(
    'SELECT COLUMN_NAME AS n, DATA_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [schema, table],
  );
  if (cols.length === 0) throw new Error(`no table ${schema}.${table}`);
  const rows = await conn.query<Record<string, unknown>>(
    `SELECT ${cols.map((c, i) => `${exactExpr(c.t.toLowerCase(), c.n)} AS c${i}`).join(', ')} FROM ${qualify(schema, table)} ORDER BY 1`,
  );
  return rows.map((r) => cols.map((_c, i) => (r[`c${i}`] === null ? null : String(r[`c${i}`]))));
}
