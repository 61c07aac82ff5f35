import type { SqlConnection } from '../src/db/connection.js';
import { qualify, quoteId } from '../src/db/quote.js';

/** Rows are sent in multi-row INSERTs of about this many bytes: memory stays bounded. */
const BATCH_BYTES = 1_000_000;

function approxSize(row: unknown[]): number {
  let n = 8;
  for (const v of row)
    n +=
      v === null ? 4 : typeof v === 'string' ? v.length * 2 + 4 : Buffer.isBuffer(v) ? v.length * 2 + 4 : 24;
  return n;
}

/**
 * Streams the rows of `from` matching `where` (read on `reader`, e.g. the snapshot session) into
 * `to` with batched multi-row INSERTs on `writer`. Values travel as the server printed them
 * (strings, Buffers for binary and BIT), so they are written back exactly.
 */
export async function copyRows(
  reader: SqlConnection,
  writer: SqlConnection,
  from: { schema: string; table: string },
  to: { schema: string; table: string },
  columns: readonly string[],
  where = '1=1',
  onRows?: (n: number) => void,
  options: { replace?: boolean } = {},
): Promise<number> {
  const cols = columns.map(quoteId).join(', ');
  const insert = `${options.replace ? 'REPLACE' : 'INSERT'} INTO ${qualify(to.schema, to.table)} (${cols}) VALUES ?`;
  let batch: unknown[][] = [];
  let bytes = 0;
  let total = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await writer.execute(insert, [batch]);
    total += batch.length;
    onRows?.(batch.length);
    batch = [];
    bytes = 0;
  };
  for await (const row of reader.stream(
    `SELECT ${cols} FROM ${qualify(from.schema, from.table)} WHERE ${where}`,
  )) {
    batch.push(row);
    bytes += approxSize(row);
    if (bytes >= BATCH_BYTES) await flush();
  }
  await flush();
  return total;
}
