/**
 * Turns a primary-key tuple decoded from the binlog into the key text the trigger log holds
 * (capture-sql.ts keyPartSql: a JSON array of text parts), so both capture methods feed the same
 * incremental machinery (key-sql.ts writes the parts back as literals). Only types whose decoded
 * value maps to that text exactly are mapped; for any other key type the answer is null and the
 * caller copies the table whole (correct, and costly only for such tables). Pure.
 *
 * Mapped, and why exact (values as @vlasky/zongji decodes them):
 * - integers: a Number within the safe range, or a decimal string / bigint beyond it;
 * - DECIMAL: the client prints every digit of the stored value with the column's scale, as
 *   CAST(x AS CHAR) does;
 * - FLOAT/DOUBLE: the IEEE value itself; its shortest text reads back as the same DOUBLE (the
 *   literal's spelling may differ from the server's, never its value);
 * - utf8mb4 strings: the decoded text; utf8mb3 and ascii strings: the hex of their bytes, which
 *   are the UTF-8 bytes of the decoded text (the log holds such keys as hex: key-sql.ts);
 * - binary strings and BLOBs: the hex of the bytes (BINARY(n) re-padded by the client).
 * Not mapped: temporal types (the client decodes them through JavaScript dates or without the
 * column's precision), ENUM and SET (logged by index), YEAR, BIT, spatial, other character sets.
 */
import type { ColumnMeta, TableMeta } from '../../../src/catalog/table-meta.js';
import { isIntegerType } from '../../../src/catalog/table-meta.js';
import type { KeyTuple } from './binlog-key-set.js';

const STRING_TYPES = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext']);
const BINARY_TYPES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob']);
const UTF8_HEX_CHARSETS = new Set(['utf8mb3', 'utf8', 'ascii']);

/** Why `table`'s keys cannot be mapped from the binlog, or null when every key column can. */
export function unmappedKeyReason(meta: TableMeta): string | null {
  for (const name of meta.primaryKey) {
    const col = meta.columns.find((c) => c.name === name);
    if (!col || partMapper(col) === null) return `its key column ${name} (${col?.columnType ?? 'unknown'}) cannot be read from the binlog exactly`;
  }
  return null;
}

/** The key text of `tuple` (a row's key columns in key order), or null when a part cannot be mapped. */
export function keyTextOf(meta: TableMeta, tuple: KeyTuple): string | null {
  if (tuple.length !== meta.primaryKey.length) return null;
  const parts: string[] = [];
  for (let i = 0; i < tuple.length; i++) {
    const col = meta.columns.find((c) => c.name === meta.primaryKey[i]);
    const map = col ? partMapper(col) : null;
    const part = map ? map(tuple[i]) : null;
    if (part === null) return null;
    parts.push(part);
  }
  return JSON.stringify(parts);
}

type PartMapper = (value: unknown) => string | null;

function partMapper(col: ColumnMeta): PartMapper | null {
  const type = col.dataType.toLowerCase();
  if (isIntegerType(type)) return integerText;
  if (type === 'decimal') return (v) => (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? v : null);
  if (type === 'float' || type === 'double' || type === 'real') return doubleText;
  if (BINARY_TYPES.has(type)) return (v) => (Buffer.isBuffer(v) ? v.toString('hex').toUpperCase() : null);
  if (STRING_TYPES.has(type)) {
    const cs = col.charset?.toLowerCase() ?? '';
    if (cs === 'utf8mb4') return (v) => (typeof v === 'string' ? v : null);
    if (UTF8_HEX_CHARSETS.has(cs)) return (v) => (typeof v === 'string' ? Buffer.from(v, 'utf8').toString('hex').toUpperCase() : null);
  }
  return null;
}

function integerText(v: unknown): string | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? String(v) : null;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string' && /^-?\d{1,20}$/.test(v)) return v;
  return null;
}

function doubleText(v: unknown): string | null {
  if (typeof v !== 'number' || !Number.isFinite(v)) return null;
  // JavaScript's shortest round-trip text; `1e+21` → `1e21` (key-sql.ts accepts either sign form).
  return String(v).replace('e+', 'e');
}
