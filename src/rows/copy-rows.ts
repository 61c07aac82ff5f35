import { type CopyTransport, copySelectExpr, copyTransport, type TransportColumn } from './column-transport.js';
import type { SqlConnection } from '../db/connection.js';
import { qualify, quoteId } from '../db/quote.js';

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
 * Turns a raw-mode value (column-transport.ts) into what the INSERT writes: the server's exact
 * text stays a quoted string (numbers, dates, the double of a FLOAT, `-0` included), an ENUM/SET
 * index becomes a BigInt (written unquoted: a quoted '2' would name a member called '2'), text is
 * decoded from the session's UTF-8 (a JSON column refuses a binary string), bytes stay a Buffer
 * (written as X'…', which a character column keeps byte for byte and GEOMETRY reads as its
 * internal SRID + WKB form).
 */
function toWritten(value: unknown, how: CopyTransport): unknown {
  if (value === null || value === undefined) return null;
  switch (how) {
    case 'index':
      // An ENUM/SET index: the driver gives it as a number or its digits.
      return BigInt(value as number | string);
    case 'text':
      return Buffer.isBuffer(value) ? value.toString('utf8') : value;
    default:
      return value;
  }
}

/**
 * Streams the rows of `from` matching `where` (read on `reader`, e.g. the snapshot session) into
 * `to` with batched multi-row INSERTs on `writer`. Each column is read in the form that writes
 * back bit-exactly (column-transport.ts): nothing is parsed into a JS number or passed through a
 * character set it cannot round-trip. The writer's sql_mode must allow what the source holds
 * (zero dates, the ENUM error value): sync sessions run without strict mode (snapshot.ts).
 */
export async function copyRows(
  reader: SqlConnection,
  writer: SqlConnection,
  from: { schema: string; table: string },
  to: { schema: string; table: string },
  columns: readonly TransportColumn[],
  where = '1=1',
  onRows?: (n: number) => void,
  options: { replace?: boolean } = {},
): Promise<number> {
  const cols = columns.map((c) => quoteId(c.name)).join(', ');
  const how = columns.map(copyTransport);
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
  const select = `SELECT ${columns.map(copySelectExpr).join(', ')} FROM ${qualify(from.schema, from.table)} WHERE ${where}`;
  for await (const raw of reader.stream(select, undefined, { raw: true })) {
    const row = raw.map((v, i) => toWritten(v, how[i]!));
    batch.push(row);
    bytes += approxSize(row);
    if (bytes >= BATCH_BYTES) await flush();
  }
  await flush();
  return total;
}
