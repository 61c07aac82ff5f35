/**
 * The exact text of a row for checksums, and the aggregate that sums row digests. Both the
 * InnoDB source and the MyISAM mirror print it the same way when their rows are equal, and it
 * differs whenever an exact comparison would:
 *
 * - every column is rendered losslessly: strings as their stored bytes (`CAST(… AS BINARY)`:
 *   no conversion between character sets, so latin1 beside cp1251 or utf16 never meets an
 *   "illegal mix of collations", and `a`/`A`/`a ` stay apart whatever the collation), FLOAT
 *   through DOUBLE (a FLOAT prints with 6 significant digits: 16777215 and 16777200 looked
 *   equal), TIMESTAMP as epoch seconds (its text depends on the session's time zone and repeats
 *   in a DST fall-back hour), BIT as a number, ENUM and SET with their index (the `''` error
 *   value and a declared `''` member print alike);
 * - a value that may hold any byte is length-prefixed and a NULL is a mark no value can print,
 *   so neither a separator inside a value nor a NULL can make two rows print alike (CONCAT_WS
 *   did both);
 * - the digest is the first 64 bits of SHA-256 (`SHA2(…, 256)`) of that text, and a chunk's sum is the exact SUM
 *   (DECIMAL, no overflow) of its rows' digests with COUNT(*). A BIT_XOR cancelled pairs of equal
 *   rows: a keyless table holding {A, A, B} and a mirror holding {B, C, C} summed alike. With
 *   sums, two different multisets of rows agree only when their digests happen to add up to the
 *   same number: odds about 2^-64 per chunk for rows that differ by chance. SHA-256, not MD5: MySQL
 *   deprecated MD5() in 9.4 and removed it in 9.6 (moved to the optional component_classic_hashing),
 *   while SHA2() is built into MySQL and MariaDB alike; the checksum must be the same on both, since
 *   a source on one is compared with mirrors on the other. Checksums made with MD5 are `v2:` ones.
 *
 * Pure: builds SQL from table metadata. The aliases it uses (`__dp_…`) cannot meet a user's
 * column in an expression; chunk queries group by the chunk expression itself, never by an
 * alias, because `GROUP BY c` names a column `c` when the table has one.
 */
import { quoteId } from '../db/quote.js';
import type { ColumnMeta, TableMeta } from '../catalog/table-meta.js';
import { writableColumns } from '../catalog/table-meta.js';

const STRING_TYPES = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'json', 'long', 'long varchar']);
const BYTE_TYPES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob']);
const EXACT_TEXT_TYPES = new Set([
  'tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint', 'decimal', 'numeric',
  'date', 'datetime', 'time', 'year', 'double', 'real', 'double precision',
]);

/** One column rendered losslessly (not NULL-safe: NULL stays NULL). `ref` is the quoted column. */
export function exactValueSql(ref: string, col: Pick<ColumnMeta, 'dataType'>): string {
  return renderColumn(ref, col.dataType).sql;
}

/**
 * How a column is rendered, and whether its text can hold any byte (then it is length-prefixed)
 * or only digits, signs, `.`, `:`, `-`, `e` and spaces (numbers and dates: no `#`, never `N`).
 */
function renderColumn(ref: string, dataType: string): { sql: string; anyBytes: boolean } {
  const t = dataType.toLowerCase();
  if (BYTE_TYPES.has(t)) return { sql: ref, anyBytes: true };
  if (STRING_TYPES.has(t)) return { sql: `CAST(${ref} AS BINARY)`, anyBytes: true };
  if (t === 'float') return { sql: `CAST(${ref} AS DOUBLE)`, anyBytes: false };
  if (t === 'timestamp') return { sql: `UNIX_TIMESTAMP(${ref})`, anyBytes: false };
  if (t === 'bit') return { sql: `(${ref} + 0)`, anyBytes: false };
  if (t === 'enum' || t === 'set') return { sql: `CONCAT(${ref} + 0, ':', CAST(${ref} AS BINARY))`, anyBytes: true };
  if (EXACT_TEXT_TYPES.has(t)) return { sql: ref, anyBytes: false };
  // Spatial and anything newer: the stored bytes.
  return { sql: `CAST(${ref} AS BINARY)`, anyBytes: true };
}

/** The columns a row digest covers: every stored column (generated ones are recomputed). */
export function digestColumns(table: TableMeta): ColumnMeta[] {
  return writableColumns(table);
}

/**
 * The exact text of a row: per column `N` for NULL, else the value, `length:bytes` for values
 * that may hold any byte; columns joined by `#`. Read left to right with the column types known,
 * it can be parsed back in one way only, so two rows print alike only when they are equal.
 */
export function rowTextSql(columns: readonly Pick<ColumnMeta, 'name' | 'dataType'>[], alias = ''): string {
  if (columns.length === 0) return "''";
  const p = alias ? `${alias}.` : '';
  const parts = columns.map((c) => {
    const ref = `${p}${quoteId(c.name)}`;
    const r = renderColumn(ref, c.dataType);
    return r.anyBytes ? `IFNULL(CONCAT(LENGTH(${ref}), ':', ${r.sql}), 'N')` : `IFNULL(${r.sql}, 'N')`;
  });
  return parts.length === 1 ? `CONCAT(${parts[0]!})` : `CONCAT(${parts.join(", '#', ")})`;
}

/**
 * True when rows `a` and `b` (aliases) have the same exact text over `columns`, compared as bytes:
 * equal text, not equal digests, so no collision can pass. A row whose text is longer than
 * max_allowed_packet has none (CONCAT gives NULL), so it is never the same as anything.
 */
export function sameRowTextSql(columns: readonly Pick<ColumnMeta, 'name' | 'dataType'>[], a: string, b: string): string {
  return `CAST(${rowTextSql(columns, a)} AS BINARY) = CAST(${rowTextSql(columns, b)} AS BINARY)`;
}

/** The hash a row digest takes the first 64 bits of: SHA-256 (current, `v3:`) or MD5 (`v2:` checksums). */
export type DigestHash = 'sha256' | 'md5';

/** A row's 64-bit digest as an unsigned integer. `hash` 'md5' only to check `v2:` checksums of older backups. */
export function rowDigestSql(table: TableMeta, alias = '', hash: DigestHash = 'sha256'): string {
  const text = rowTextSql(digestColumns(table), alias);
  const hex = hash === 'md5' ? `MD5(${text})` : `SHA2(${text}, 256)`;
  return `CAST(CONV(LEFT(${hex}, 16), 16, 10) AS UNSIGNED)`;
}

/** Marks a checksum of this algorithm (SHA-256 digests); `v2:` is the MD5 one, a bare number the older CRC32/BIT_XOR one. */
export const CHECKSUM_PREFIX = 'v3:';

/** Marks a checksum of MD5 row digests (backups made before `v3:`; MySQL 9.6+ cannot compute it). */
export const MD5_CHECKSUM_PREFIX = 'v2:';

/**
 * `COUNT(*) AS __dp_rows, COALESCE(SUM(digest), 0) AS __dp_sum`: the select-list of a row-set
 * checksum, for a whole table, a chunk or a batch of keys.
 */
export function rowSetSumSql(table: TableMeta, alias = '', hash: DigestHash = 'sha256'): string {
  return `COUNT(*) AS __dp_rows, COALESCE(SUM(${rowDigestSql(table, alias, hash)}), 0) AS __dp_sum`;
}

/** A row-set checksum as stored in history and manifests: `v3:<rows-independent sum>`. */
export function formatSum(sum: string | number | bigint | null | undefined): string {
  return `${CHECKSUM_PREFIX}${String(sum ?? '0')}`;
}
