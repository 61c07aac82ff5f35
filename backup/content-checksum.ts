import type { SqlConnection } from '../src/db/connection.js';
import { qualify } from '../src/db/quote.js';
import { rowHashExpression } from '../sync/chunk-sql.js';
import type { TableMeta } from '../sync/table-meta.js';

/**
 * The engine-independent content checksum of a table: `COUNT(*)` and the BIT_XOR of the same
 * per-row CRC32 the sync's chunk checksums use (chunk-sql.ts). A full sync already computes it
 * for every chunk of the source snapshot, which the mirrors equal, so a backup takes it from the
 * sync's history instead of scanning again; a restore recomputes it on the InnoDB tables it built.
 * Equal rows give equal sums on either engine, because both print a column of the same type the
 * same way. `table` supplies the non-generated columns and which of them are nullable.
 */
export function contentChecksumSql(schema: string, table: string, meta: TableMeta): string {
  return `SELECT COUNT(*) AS n, COALESCE(BIT_XOR(${rowHashExpression(meta)}), 0) AS x FROM ${qualify(schema, table)}`;
}

export async function contentChecksum(
  conn: SqlConnection,
  schema: string,
  table: string,
  meta: TableMeta,
): Promise<{ rows: number; checksum: string }> {
  const r = await conn.query<{ n: string | number; x: string | number }>(contentChecksumSql(schema, table, meta));
  return { rows: Number(r[0]?.n ?? 0), checksum: String(r[0]?.x ?? '0') };
}

/** Combines per-chunk sums into the table's sum (XOR is associative). */
export function combineChunkSums(sums: Iterable<{ rows: number; hash: string }>): { rows: number; checksum: string } {
  let rows = 0;
  let x = 0n;
  for (const s of sums) {
    rows += s.rows;
    x ^= BigInt(s.hash);
  }
  return { rows, checksum: x.toString() };
}
