/**
 * Primary-key values as SQL, for the statements of an incremental sync. Keys come from the
 * change log or the mirrors as canonical JSON arrays of text (capture-sql.ts): each part is
 * validated for its column type and written as a literal (integers as digits, binary keys as
 * X'…' from their hex, strings of a character set other than utf8mb4 as `_cs X'…'` from the hex
 * of their bytes, other strings quoted), so no key text is ever pasted raw.
 */
import { ChangeLogKeyError, InternalError } from '../../src/errors.js';
import { isHexType } from '../../src/rows/row-codec.js';
import { quoteId, quoteString } from '../../src/db/quote.js';
import { type ColumnMeta, isIntegerType, type TableMeta } from '../../src/catalog/table-meta.js';

const STRING_TYPES = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'set']);

/**
 * The character set of a string key column that is logged as the hex of its stored bytes and
 * written back as `_cs X'…'`, or null for one logged as text (utf8mb4, the sessions' character
 * set, and every non-string type). MySQL facts that make text wrong for the others:
 * - `CAST(col AS CHAR)` converts to utf8mb4, which is not a round trip for every character set
 *   (cp932's NEC/IBM duplicates come back as other bytes);
 * - MariaDB 10.11 matches a row IN list of several tuples wrongly when a latin1 or big5 key
 *   column meets a utf8mb4 literal: `(k, n) IN (('€', 1), ('a', 1))` on a latin1 `k` finds only
 *   the 'a' row (a single tuple, or `k IN ('€', 'a')`, finds both), so an incremental sync
 *   deleted such a row from the mirror and never wrote it back (torture seed 20026). A literal
 *   in the column's own character set is compared without conversion. The introducer keeps it
 *   coercible, so the column's collation decides (a CAST would clash with a `_bin` column); it
 *   refuses ill-formed bytes, which a column never holds (they are stored as '?').
 */
export function hexKeyCharset(col: Pick<ColumnMeta, 'dataType' | 'charset'>): string | null {
  const cs = col.charset?.toLowerCase();
  if (!cs || cs === 'utf8mb4' || cs === 'binary' || !STRING_TYPES.has(col.dataType.toLowerCase())) return null;
  return cs;
}

function literal(part: string | null, col: ColumnMeta, table: string): string {
  if (part === null) return 'NULL';
  const type = col.dataType.toLowerCase();
  const refuse = (what: string) => new ChangeLogKeyError(table, `key part "${part.slice(0, 40)}" is not ${what}`);
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
  const cs = hexKeyCharset(col);
  if (cs !== null) {
    if (!/^([0-9A-Fa-f]{2})*$/.test(part)) throw refuse('hex');
    // MySQL's character set names are all [a-z0-9_]; this keeps a name that is not out of the SQL.
    if (!/^[a-z0-9_]+$/.test(cs)) throw new InternalError('key-sql literal', `${table}: unexpected character set name "${cs.slice(0, 40)}"`);
    return `_${cs} X'${part}'`;
  }
  return quoteString(part);
}

/** One key as a SQL value list: `42` or `(42, 'abc')`. */
export function keyTuple(meta: TableMeta, key: string): string {
  const parts = JSON.parse(key) as (string | null)[];
  if (parts.length !== meta.primaryKey.length) {
    throw new ChangeLogKeyError(meta.name, `key ${key.slice(0, 80)} has ${parts.length} part(s), the primary key ${meta.primaryKey.length}`);
  }
  const lits = meta.primaryKey.map((c, i) => literal(parts[i]!, meta.columns.find((x) => x.name === c)!, meta.name));
  return lits.length === 1 ? lits[0]! : `(${lits.join(', ')})`;
}

/**
 * `alias.pk IN (…)` or `(alias.a, alias.b) IN ((…), (…))` for a batch of keys (no alias: bare
 * columns). A composite key with an ENUM part is matched by `(a, b) = (…) OR …` instead: MySQL
 * (9.7) compares an ENUM with the integer literals of a row IN list of several tuples not by
 * index, so `(k, d) IN ((0, …), (1, …))` finds no row at all (a single tuple, a plain `k IN (0, 1)`
 * and row equalities are right), and an incremental sync lost the rows of those keys (torture seed
 * 10019 on MySQL). Row equalities OR-ed still use the primary key's index on both servers.
 */
export function keyInSql(meta: TableMeta, alias: string, keys: readonly string[]): string {
  const cols = meta.primaryKey.map((c) => `${alias ? `${alias}.` : ''}${quoteId(c)}`);
  if (cols.length === 1) return `${cols[0]!} IN (${keys.map((k) => keyTuple(meta, k)).join(', ')})`;
  const lhs = `(${cols.join(', ')})`;
  const hasEnum = meta.primaryKey.some((c) => meta.columns.find((x) => x.name === c)?.dataType.toLowerCase() === 'enum');
  if (hasEnum) return keys.length === 0 ? 'FALSE' : `(${keys.map((k) => `${lhs} = ${keyTuple(meta, k)}`).join(' OR ')})`;
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
