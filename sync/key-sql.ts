/**
 * Primary-key values as SQL, for the statements of an incremental sync. Keys come from the
 * change log or the mirrors as canonical JSON arrays of text (capture-sql.ts): each part is
 * validated for its column type and written as a literal (integers as digits, binary keys as
 * X'…' from their hex, text in a UCS-2/UTF-16/UTF-32 column as `_charset X'…'`, everything else
 * as a quoted string), so no key text is ever pasted raw.
 */
import { isHexType } from '../backup/row-codec.js';
import { quoteId, quoteString } from '../src/db/quote.js';
import { type ColumnMeta, isIntegerType, type TableMeta } from './table-meta.js';

/**
 * Text of a key part in a character set whose characters are not ASCII bytes, as the bytes of a
 * `_charset X'…'` literal. MariaDB fact (10.11): a row IN list of two or more tuples, `(s, n) IN
 * (('a', 1), ('b', 2))`, compares a ucs2/utf16/utf16le/utf32 column with a utf8mb4 string
 * without converting it, so no row matches (one tuple, or a single column, is converted and
 * matches). A literal already in the column's character set needs no conversion; the introducer
 * makes it coercible, so the comparison still uses the column's own collation.
 */
function wideLiteral(part: string, charset: string, refuse: (what: string) => Error): string | undefined {
  let bytes: Buffer;
  switch (charset) {
    case 'ucs2':
      // UCS-2 is UTF-16 without surrogate pairs: such a column holds no character beyond U+FFFF.
      if (/[\uD800-\uDFFF]/.test(part)) throw refuse('UCS-2 text');
      bytes = Buffer.from(part, 'utf16le').swap16();
      break;
    case 'utf16':
      bytes = Buffer.from(part, 'utf16le').swap16();
      break;
    case 'utf16le':
      bytes = Buffer.from(part, 'utf16le');
      break;
    case 'utf32':
      bytes = Buffer.alloc([...part].length * 4);
      [...part].forEach((ch, i) => bytes.writeUInt32BE(ch.codePointAt(0)!, i * 4));
      break;
    default:
      return undefined;
  }
  return `_${charset} X'${bytes.toString('hex')}'`;
}

function literal(part: string | null, column: Pick<ColumnMeta, 'dataType' | 'charset'>, table: string): string {
  if (part === null) return 'NULL';
  const type = column.dataType.toLowerCase();
  const refuse = (what: string) => new Error(`key of ${table}: "${part.slice(0, 40)}" is not ${what}`);
  // BIT keys are logged as their unsigned integer (capture-sql.ts); the column compares with it.
  // ENUM keys are logged by index too; an ENUM compared with a number compares its index.
  if (isIntegerType(type) || type === 'bit' || type === 'enum') {
    if (!/^-?\d{1,20}$/.test(part)) throw refuse('an integer');
    return part;
  }
  if (type === 'float' || type === 'double' || type === 'real') {
    // The server's shortest DOUBLE text; an exponent makes the literal a DOUBLE (`0.1` alone would
    // be a DECIMAL), which a FLOAT column compares with after widening itself exactly.
    if (!/^-?(\d+(\.\d*)?|\.\d+)(e[-+]?\d{1,3})?$/i.test(part)) throw refuse('a number');
    return /e/i.test(part) ? part : `${part}e0`;
  }
  if (type === 'timestamp') {
    if (!/^\d{1,12}(\.\d{1,6})?$/.test(part)) throw refuse('a timestamp');
    // UNIX_TIMESTAMP() of the zero TIMESTAMP is 0, and FROM_UNIXTIME(0) is 1970-01-01, not zero.
    if (/^0+(\.0*)?$/.test(part)) return "'0000-00-00 00:00:00'";
    return `FROM_UNIXTIME(${part})`;
  }
  if (isHexType(type)) {
    if (!/^([0-9A-Fa-f]{2})*$/.test(part)) throw refuse('hex');
    return `X'${part}'`;
  }
  const wide = column.charset ? wideLiteral(part, column.charset.toLowerCase(), refuse) : undefined;
  return wide ?? quoteString(part);
}

/** One key as a SQL value list: `42` or `(42, 'abc')`. */
export function keyTuple(meta: TableMeta, key: string): string {
  const parts = JSON.parse(key) as (string | null)[];
  if (parts.length !== meta.primaryKey.length) {
    throw new Error(`key of ${meta.name} has ${parts.length} part(s), the primary key ${meta.primaryKey.length}`);
  }
  const lits = meta.primaryKey.map((c, i) => literal(parts[i]!, meta.columns.find((x) => x.name === c)!, meta.name));
  return lits.length === 1 ? lits[0]! : `(${lits.join(', ')})`;
}

/** `alias.pk IN (…)` or `(alias.a, alias.b) IN ((…), (…))` for a batch of keys (no alias: bare columns). */
export function keyInSql(meta: TableMeta, alias: string, keys: readonly string[]): string {
  const cols = meta.primaryKey.map((c) => `${alias ? `${alias}.` : ''}${quoteId(c)}`);
  const lhs = cols.length === 1 ? cols[0]! : `(${cols.join(', ')})`;
  return `${lhs} IN (${keys.map((k) => keyTuple(meta, k)).join(', ')})`;
}

/** `a.x = b.x AND …` over the primary key. */
export function keyJoinSql(meta: TableMeta, a: string, b: string): string {
  return meta.primaryKey
    .map((c) => {
      // Two ENUMs compare as text, where the error value (index 0) equals a '' member: by index.
      const byIndex = meta.columns.find((x) => x.name === c)?.dataType.toLowerCase() === 'enum' ? ' + 0' : '';
      return `${a}.${quoteId(c)}${byIndex} = ${b}.${quoteId(c)}${byIndex}`;
    })
    .join(' AND ');
}

/** Splits keys into batches for IN lists. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
