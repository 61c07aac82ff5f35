/**
 * Pure SQL builders for chunked checksums, shared by the sync's repair pass and `verify`
 * (and by the incremental sync). The checksum of a chunk is `COUNT(*)` plus
 * `BIT_XOR(CRC32(row text))`, as pt-table-checksum does. Row text is `CONCAT_WS` of every
 * non-generated column plus a NULL bitmap, because CONCAT_WS skips NULLs and would otherwise
 * not tell NULL from a missing value. Both engines print a column of the same type the same way,
 * so the InnoDB source and the MyISAM mirror checksum equal when their rows are equal.
 */
import { qualify, quoteId } from '../src/db/quote.js';
import { type ChunkScheme, isIntegerType, type TableMeta, writableColumns } from './table-meta.js';

/** Picks the chunk scheme for a table. Pure: `width` comes from the key range and row estimate. */
export function chooseChunkScheme(
  table: TableMeta,
  chunkRows: number,
  keyRange?: { min: bigint; max: bigint } | undefined,
): ChunkScheme {
  const first = table.primaryKey[0];
  if (!first) return { kind: 'whole' };
  const col = table.columns.find((c) => c.name === first);
  if (col && isIntegerType(col.dataType)) {
    let width = chunkRows;
    if (keyRange && table.estimatedRows > 0) {
      const span = keyRange.max - keyRange.min + 1n;
      const chunks = BigInt(Math.max(1, Math.ceil(table.estimatedRows / chunkRows)));
      const w = span / chunks;
      width = Number(
        w > BigInt(chunkRows) ? (w > 1_000_000_000_000n ? 1_000_000_000_000n : w) : BigInt(chunkRows),
      );
    }
    return { kind: 'int-range', column: first, width: Math.max(1, width) };
  }
  const buckets = Math.max(1, Math.ceil(Math.max(table.estimatedRows, 1) / chunkRows));
  return { kind: 'hash', columns: [...table.primaryKey], buckets };
}

/** The SQL expression giving a row's chunk number. */
export function chunkExpression(scheme: ChunkScheme, alias = ''): string {
  const p = alias ? `${alias}.` : '';
  switch (scheme.kind) {
    case 'int-range':
      return `FLOOR(${p}${quoteId(scheme.column)} / ${scheme.width})`;
    case 'hash':
      return `MOD(CRC32(CONCAT_WS('#', ${scheme.columns.map((c) => `${p}${quoteId(c)}`).join(', ')})), ${scheme.buckets})`;
    case 'whole':
      return '0';
  }
}

/** The expression hashing one row. */
export function rowHashExpression(table: TableMeta): string {
  const cols = writableColumns(table).map((c) => quoteId(c.name));
  const nullable = writableColumns(table).filter((c) => c.nullable);
  const nullMap = nullable.length
    ? `, CONCAT(${nullable.map((c) => `ISNULL(${quoteId(c.name)})`).join(', ')})`
    : '';
  return `CRC32(CONCAT_WS('#', ${cols.join(', ')}${nullMap}))`;
}

/** One query returning `c` (chunk), `n` (rows) and `x` (xor of row hashes) per chunk. */
export function checksumChunksSql(
  schema: string,
  tableName: string,
  table: TableMeta,
  scheme: ChunkScheme,
): string {
  return (
    `SELECT ${chunkExpression(scheme)} AS c, COUNT(*) AS n, BIT_XOR(${rowHashExpression(table)}) AS x ` +
    `FROM ${qualify(schema, tableName)} GROUP BY c`
  );
}

/** A WHERE condition selecting the rows of the given chunks; index range scans for int ranges. */
export function chunkCondition(scheme: ChunkScheme, chunks: readonly bigint[]): string {
  if (scheme.kind === 'whole') return '1=1';
  if (chunks.length === 0) return '1=0';
  if (scheme.kind === 'hash') return `${chunkExpression(scheme)} IN (${chunks.join(', ')})`;
  const col = quoteId(scheme.column);
  const w = BigInt(scheme.width);
  // Adjacent chunks merge into one range so that a run of changed chunks is one scan.
  const sorted = [...chunks].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const ranges: [bigint, bigint][] = [];
  for (const c of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && last[1] === c) last[1] = c + 1n;
    else ranges.push([c, c + 1n]);
  }
  return ranges.map(([a, b]) => `(${col} >= ${a * w} AND ${col} < ${b * w})`).join(' OR ');
}

/** Per-chunk checksum as read from the server. */
export interface ChunkSum {
  rows: number;
  hash: string;
}

/** Chunks whose checksums differ (present on one side only, or different). Pure. */
export function diffChunks(a: ReadonlyMap<string, ChunkSum>, b: ReadonlyMap<string, ChunkSum>): bigint[] {
  const out: bigint[] = [];
  for (const [c, s] of a) {
    const o = b.get(c);
    if (!o || o.rows !== s.rows || o.hash !== s.hash) out.push(BigInt(c));
  }
  for (const c of b.keys()) if (!a.has(c)) out.push(BigInt(c));
  return out;
}
