import type { SqlConnection } from '../db/connection.js';
import { qualify } from '../db/quote.js';
import { CHECKSUM_PREFIX, type DigestHash, formatSum, MD5_CHECKSUM_PREFIX, rowSetSumSql } from './row-digest-sql.js';
import { type TableMeta, writableColumns } from '../catalog/table-meta.js';
import { quoteId } from '../db/quote.js';

/**
 * The engine-independent content checksum of a table: `COUNT(*)` and the exact SUM of the same
 * 64-bit row digests the sync's chunk checksums use (row-digest-sql.ts), written `v3:<sum>`. A
 * full sync already computes it for every chunk of the source snapshot, which the mirrors equal,
 * so a backup takes it from the sync's history instead of scanning again; a restore recomputes
 * it on the InnoDB tables it built. `table` supplies the stored columns and their types.
 */
export function contentChecksumSql(schema: string, table: string, meta: TableMeta, hash: DigestHash = 'sha256'): string {
  return `SELECT ${rowSetSumSql(meta, '', hash)} FROM ${qualify(schema, table)}`;
}

/**
 * The checksum of backups made before `v2:` (a bare number): BIT_XOR of CRC32 over CONCAT_WS.
 * Kept only so that those backups still restore; it cancels duplicate rows and prints FLOAT
 * with 6 digits, so nothing new is written with it.
 */
export function legacyChecksumSql(schema: string, table: string, meta: TableMeta): string {
  const cols = writableColumns(meta);
  const nullable = cols.filter((c) => c.nullable);
  const nullMap = nullable.length ? `, CONCAT(${nullable.map((c) => `ISNULL(${quoteId(c.name)})`).join(', ')})` : '';
  const hash = `CRC32(CONCAT_WS('#', ${cols.map((c) => quoteId(c.name)).join(', ')}${nullMap}))`;
  return `SELECT COUNT(*) AS __dp_rows, COALESCE(BIT_XOR(${hash}), 0) AS __dp_sum FROM ${qualify(schema, table)}`;
}

/** True for a checksum of the current algorithm (`v3:…`). */
export function isCurrentChecksum(checksum: string | undefined): boolean {
  return checksum !== undefined && checksum.startsWith(CHECKSUM_PREFIX);
}

/**
 * The table's content checksum. `like`: a checksum to compare with later; when it is an older
 * backup's (`v2:` MD5 digests, or a bare number), that older algorithm is used so that the two can be compared.
 */
export async function contentChecksum(
  conn: SqlConnection,
  schema: string,
  table: string,
  meta: TableMeta,
  like?: string,
): Promise<{ rows: number; checksum: string }> {
  const md5 = like?.startsWith(MD5_CHECKSUM_PREFIX) === true;
  const legacy = like !== undefined && !md5 && !isCurrentChecksum(like);
  const sql = legacy
    ? legacyChecksumSql(schema, table, meta)
    : contentChecksumSql(schema, table, meta, md5 ? 'md5' : 'sha256');
  const r = await conn.query<{ __dp_rows: string | number; __dp_sum: string | number | null }>(sql);
  const sum = r[0]?.__dp_sum ?? '0';
  const rows = Number(r[0]?.__dp_rows ?? 0);
  if (legacy) return { rows, checksum: String(sum) };
  return { rows, checksum: md5 ? `${MD5_CHECKSUM_PREFIX}${String(sum)}` : formatSum(sum) };
}

/** Combines per-chunk sums into the table's checksum (sums add up). */
export function combineChunkSums(sums: Iterable<{ rows: number; hash: string }>): { rows: number; checksum: string } {
  let rows = 0;
  let total = 0n;
  for (const s of sums) {
    rows += s.rows;
    total += BigInt(s.hash);
  }
  return { rows, checksum: formatSum(total) };
}
