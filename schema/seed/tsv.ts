/**
 * Encodes rows for `LOAD DATA ... FIELDS TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED
 * BY '\n'`: the five bytes that would break a field are backslash-escaped, and NULL is `\N`.
 */
import { Readable } from 'node:stream';
import { InternalError } from '../../src/errors.js';

/** One column value as the generators produce it (decimals and dates are preformatted strings). */
export type Field = string | number | bigint | boolean | null;

const SPECIAL = /[\\\t\n\r\0]/;
const SPECIAL_ALL = /[\\\t\n\r\0]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };

/** Escapes one string field. */
export function escapeTsv(value: string): string {
  return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (c) => ESCAPES[c] ?? c) : value;
}

/** Encodes one field; NULL becomes `\N` (an unescaped `\N`, so the string "\N" stays a string). */
export function encodeField(value: Field): string {
  switch (typeof value) {
    case 'string':
      return escapeTsv(value);
    case 'number':
      // The seed's generators make only finite numbers, and MySQL's DOUBLE has no NaN or Infinity.
      if (!Number.isFinite(value)) throw new InternalError('seed encodeField', `cannot load a non-finite number (${value})`);
      return String(value);
    case 'boolean':
      return value ? '1' : '0';
    case 'bigint':
      return value.toString();
    default:
      return '\\N';
  }
}

/** Encodes one row as a tab-separated line ending in a newline. */
export function encodeRow(fields: readonly Field[]): string {
  let line = '';
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) line += '\t';
    line += encodeField(fields[i] as Field);
  }
  return line + '\n';
}

/** Groups encoded rows into buffers of about `batchChars` characters (fewer, larger packets). */
export function* tsvBatches(rows: Iterable<readonly Field[]>, batchChars = 64 * 1024): Generator<Buffer> {
  let text = '';
  for (const row of rows) {
    text += encodeRow(row);
    if (text.length >= batchChars) {
      yield Buffer.from(text, 'utf8');
      text = '';
    }
  }
  if (text.length > 0) yield Buffer.from(text, 'utf8');
}

/** A lazy stream of TSV bytes: rows are generated only as the server reads them. */
export function tsvStream(rows: Iterable<readonly Field[]>, batchChars?: number): Readable {
  return Readable.from(tsvBatches(rows, batchChars));
}
