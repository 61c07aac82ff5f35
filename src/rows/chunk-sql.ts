/**
 * Pure SQL builders for chunked checksums, shared by the sync's repair pass and `verify`
 * (and by the incremental sync). The checksum of a chunk is `COUNT(*)` plus the exact SUM of
 * 64-bit row digests (row-digest-sql.ts says why not pt-table-checksum's BIT_XOR of CRC32).
 */
import { qualify, quoteId } from '../db/quote.js';
import { exactValueSql, rowDigestSql, rowSetSumSql } from './row-digest-sql.js';
import { type ChunkScheme, isIntegerType, type TableMeta } from '../catalog/table-meta.js';

/** Picks the chunk scheme for a table. Pure: `width` comes from the key range and row estimate. */
export function chooseChunkScheme(
  table: TableMeta,
  chunkRows: number,
  keyRange?: { min: bigint; max: bigint },
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

/**
 * The SQL expression giving a row's chunk number. Hash chunks hash the key's bytes (a key of
 * two character sets cannot be concatenated as text), with the key types from `table`.
 */
export function chunkExpression(scheme: ChunkScheme, table: TableMeta, alias = ''): string {
  const p = alias ? `${alias}.` : '';
  switch (scheme.kind) {
    case 'int-range': {
      // Integer division, floored like chunkCondition's ranges. Not FLOOR(col / width): `/` yields a
      // DECIMAL rounded to div_precision_increment (4) places, so on MySQL 50000028 / 50000029 is
      // 1.0000 and the row lands in chunk 1 while chunkCondition puts it in chunk 0; the repair
      // pass then rewrote the wrong rows and a mirror kept rows copied after the snapshot.
      // DIV truncates toward zero: a negative key not on a boundary belongs one chunk lower.
      const col = `${p}${quoteId(scheme.column)}`;
      return `(${col} DIV ${scheme.width} - (${col} < 0 AND ${col} MOD ${scheme.width} <> 0))`;
    }
    case 'hash': {
      const parts = scheme.columns.map((c) => {
        const type = table.columns.find((x) => x.name === c)?.dataType ?? 'varbinary';
        return `IFNULL(${exactValueSql(`${p}${quoteId(c)}`, { dataType: type })}, '')`;
      });
      return `MOD(CRC32(CONCAT(${parts.join(", '#', ")})), ${scheme.buckets})`;
    }
    case 'whole':
      return '0';
  }
}

/** The expression giving one row's 64-bit digest (row-digest-sql.ts). */
export function rowHashExpression(table: TableMeta, alias = ''): string {
  return rowDigestSql(table, alias);
}

/**
 * One query returning `__dp_chunk`, `__dp_rows` and `__dp_sum` per chunk. It groups by the
 * chunk expression itself: `GROUP BY c` would group by a column named `c` (sysbench's sbtest
 * has one) instead of the alias, and the checksums would compare the wrong groups.
 */
export function checksumChunksSql(
  schema: string,
  tableName: string,
  table: TableMeta,
  scheme: ChunkScheme,
): string {
  const from = `FROM ${qualify(schema, tableName)}`;
  // One chunk: no GROUP BY (MySQL reads `GROUP BY 0` as a column position).
  if (scheme.kind === 'whole') return `SELECT 0 AS __dp_chunk, ${rowSetSumSql(table)} ${from}`;
  const chunk = chunkExpression(scheme, table);
  return `SELECT ${chunk} AS __dp_chunk, ${rowSetSumSql(table)} ${from} GROUP BY ${chunk}`;
}

/** A WHERE condition selecting the rows of the given chunks; index range scans for int ranges. */
export function chunkCondition(scheme: ChunkScheme, table: TableMeta, chunks: readonly bigint[]): string {
  if (scheme.kind === 'whole') return '1=1';
  if (chunks.length === 0) return '1=0';
  if (scheme.kind === 'hash') return `${chunkExpression(scheme, table)} IN (${chunks.join(', ')})`;
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
