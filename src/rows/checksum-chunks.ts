import type { SqlConnection } from '../db/connection.js';
import { qualify, quoteId } from '../db/quote.js';
import { type ChunkSum, checksumChunksSql, chooseChunkScheme } from './chunk-sql.js';
import { type ChunkScheme, isIntegerType, type TableMeta } from '../catalog/table-meta.js';

/** Runs the chunk checksum query for one table on one session; the result is keyed by chunk number. */
export async function checksumChunks(
  conn: SqlConnection,
  schema: string,
  tableName: string,
  table: TableMeta,
  scheme: ChunkScheme,
): Promise<Map<string, ChunkSum>> {
  const rows = await conn.query<{ __dp_chunk: string | number; __dp_rows: string | number; __dp_sum: string | number | null }>(
    checksumChunksSql(schema, tableName, table, scheme),
  );
  const out = new Map<string, ChunkSum>();
  for (const r of rows) out.set(String(r.__dp_chunk), { rows: Number(r.__dp_rows), hash: String(r.__dp_sum ?? '0') });
  return out;
}

/** Reads MIN and MAX of an integer key (cheap: both ends of the index). */
export async function readKeyRange(
  conn: SqlConnection,
  qualified: string,
  column: string,
): Promise<{ min: bigint; max: bigint } | undefined> {
  const rows = await conn.query<{ lo: string | number | null; hi: string | number | null }>(
    `SELECT MIN(${column}) AS lo, MAX(${column}) AS hi FROM ${qualified}`,
  );
  const r = rows[0];
  if (!r || r.lo === null || r.hi === null) return undefined;
  return { min: BigInt(r.lo), max: BigInt(r.hi) };
}

/** Chooses a table's chunk scheme, reading the key range (on `conn`) only for integer keys. */
export async function schemeForTable(
  conn: SqlConnection,
  schema: string,
  table: TableMeta,
  chunkRows: number,
): Promise<ChunkScheme> {
  const first = table.primaryKey[0];
  const col = table.columns.find((c) => c.name === first);
  const range =
    first && col && isIntegerType(col.dataType)
      ? await readKeyRange(conn, qualify(schema, table.name), quoteId(first))
      : undefined;
  return chooseChunkScheme(table, chunkRows, range);
}
