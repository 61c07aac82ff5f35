/**
 * How a column's values leave the server when rows travel through Node (backup chunks, the
 * streamed copy of copy-rows.ts): chosen so that every value is written back bit-exactly. Pure.
 *
 * MySQL facts behind it:
 * - FLOAT prints with 6 significant digits (16777215 shows as 16777200), so it is read as
 *   `CAST(col AS DOUBLE)`: a float widens to a double exactly, a double prints with the shortest
 *   text that reads back to it, and storing that double into a FLOAT narrows it exactly.
 * - Text is sent in the session's character set (utf8mb4). That is a lossless round trip only for
 *   the Unicode-complete ones and latin1 (MySQL's latin1 maps all 256 bytes to distinct code
 *   points); cp932's NEC/IBM duplicates (0xED40 and 0xFA5C are one code point) and the like come
 *   back as other bytes. Other character sets are read as `CAST(col AS BINARY)`, the bytes as
 *   stored, and written back as a binary string, which a character column keeps byte for byte.
 * - utf16/ucs2/utf32 convert losslessly, but are sent as bytes too: one rule for "not utf8 or latin1".
 */
import { quoteId } from '../db/quote.js';
import type { ColumnMeta } from '../catalog/table-meta.js';
import { isHexType } from './row-codec.js';

/** Character sets whose every stored string survives utf8mb4 and back with the same bytes. */
const TEXT_SAFE_CHARSETS = new Set(['utf8mb4', 'utf8mb3', 'utf8', 'ascii', 'latin1']);

/** The column facts the choice depends on. */
export type TransportColumn = Pick<ColumnMeta, 'name' | 'dataType'> & { charset?: string | null | undefined };

/** True when the column's strings must travel as their stored bytes (no character set conversion). */
export function needsBytes(c: TransportColumn): boolean {
  return typeof c.charset === 'string' && c.charset !== 'binary' && !TEXT_SAFE_CHARSETS.has(c.charset.toLowerCase());
}

/** Written as hex in backup chunks and loaded with UNHEX(): binary types and bytes-transported strings. */
export function isHexColumn(c: TransportColumn): boolean {
  return isHexType(c.dataType) || needsBytes(c);
}

/**
 * What a backup manifest records about how `c` was read (see manifest.ts), undefined for plain
 * text. `index`: an ENUM or SET as its number, since an ENUM's error value (index 0, written by
 * non-strict sessions) prints as '' like a declared '' member, and LOAD DATA of '' cannot store
 * index 0; and a SET's member '' (`SET('', 'x')`, value 1) prints as '' like the empty set (0),
 * which LOAD DATA of '' stores. Backups made before SET was read as its number hold its text and
 * restore as before.
 */
export function backupEncoding(c: TransportColumn): 'bytes' | 'double' | 'index' | undefined {
  const t = c.dataType.toLowerCase();
  if (t === 'float') return 'double';
  if (t === 'enum' || t === 'set') return 'index';
  return needsBytes(c) ? 'bytes' : undefined;
}

/** Whether a backup chunk holds `c` as hex: a hex column, unless it is read as its number (digits; an ENUM or SET in a character set read as bytes was both). */
export function backupHex(c: TransportColumn): boolean {
  return isHexColumn(c) && backupEncoding(c) !== 'index';
}

/** The SELECT expression that reads `c` for a backup chunk (matching `backupHex`). */
export function backupSelectExpr(c: TransportColumn): string {
  const ref = quoteId(c.name);
  if (c.dataType.toLowerCase() === 'float') return `CAST(${ref} AS DOUBLE)`;
  // A SET as an unsigned number: `+0` of a SET is a DOUBLE on MySQL and signed on MariaDB.
  if (c.dataType.toLowerCase() === 'set') return `CAST(${ref} AS UNSIGNED)`;
  if (backupEncoding(c) === 'index') return `${ref}+0`;
  if (needsBytes(c)) return `CAST(${ref} AS BINARY)`;
  return ref;
}

/**
 * How copy-rows.ts reads and rewrites a column: `float` (text of the double), `index` (ENUM/SET as
 * their number: the ENUM error value '' is index 0, which no member text names, and a member may
 * itself be ''), `bytes` (a Buffer written as X'…'), `text` (everything else: the server's exact
 * text of numbers, dates and times; strings and JSON decoded from the session's UTF-8).
 */
export type CopyTransport = 'float' | 'index' | 'bytes' | 'text';

/** How copy-rows.ts reads and writes back the values of `c` (see CopyTransport). */
export function copyTransport(c: TransportColumn): CopyTransport {
  const t = c.dataType.toLowerCase();
  if (t === 'float') return 'float';
  if (t === 'enum' || t === 'set') return 'index';
  if (isHexType(t) || needsBytes(c)) return 'bytes';
  return 'text';
}

/** The SELECT expression copy-rows.ts reads `c` with. */
export function copySelectExpr(c: TransportColumn): string {
  const ref = quoteId(c.name);
  switch (copyTransport(c)) {
    case 'float':
      return `CAST(${ref} AS DOUBLE)`;
    case 'index':
      // A SET as an unsigned number: MySQL's `+0` of a SET is a DOUBLE (53 bits of its 64).
      return c.dataType.toLowerCase() === 'set' ? `CAST(${ref} AS UNSIGNED)` : `${ref}+0`;
    case 'bytes':
      return needsBytes(c) ? `CAST(${ref} AS BINARY)` : ref;
    default:
      return ref;
  }
}
