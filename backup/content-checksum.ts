import type { SqlConnection } from '../src/db/connection.js';
import { qualify, quoteId } from '../src/db/quote.js';

/**
 * The engine-independent content checksum of a table: `COUNT(*)` and `BIT_XOR` of a CRC32 per row
 * over the given columns, with a NULL bitmap so NULL and '' differ. Computed on the MyISAM mirror
 * at backup time and on the InnoDB tables a restore builds: equal rows give equal sums on either
 * engine, because both print a column of the same type the same way.
 */
export function contentChecksumSql(schema: string, table: string, columns: readonly string[]): string {
  const cols = columns.map(quoteId);
  const nulls = cols.map((c) => `ISNULL(${c})`).join(', ');
  return `SELECT COUNT(*) AS n, COALESCE(BIT_XOR(CRC32(CONCAT_WS('#', ${cols.join(', ')}, CONCAT(${nulls})))), 0) AS x FROM ${qualify(schema, table)}`;
}

export async function contentChecksum(
  conn: SqlConnection,
  schema: string,
  table: string,
  columns: readonly string[],
): Promise<{ rows: number; checksum: string }> {
  const r = await conn.query<{ n: string | number; x: string | number }>(contentChecksumSql(schema, table, columns));
  return { rows: Number(r[0]?.n ?? 0), checksum: String(r[0]?.x ?? '0') };
}
