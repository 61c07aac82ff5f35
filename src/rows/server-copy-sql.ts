/**
 * The value a copy made by the server itself (`INSERT … SELECT`, `REPLACE … SELECT`,
 * `UPDATE … SET t.c = s.c`) writes for a column. Pure.
 *
 * MySQL 9.7 and MariaDB 10.11 fact: a SET value assigned from another SET column goes through its
 * text, so a SET with a '' member loses it: in `SET('', 'x')` the member '' (value 1) and the
 * empty set (value 0) both print as '', and `INSERT INTO t2 SELECT * FROM t1` or
 * `UPDATE t2 JOIN t1 … SET t2.st = t1.st` stored 0 for 1. A number assigned to a SET column is its
 * bits, so SET columns are copied as `CAST(col AS UNSIGNED)`, not `col + 0`: MySQL 9.7 makes
 * `col + 0` of a SET a DOUBLE, which drops the bits of members past the 53rd (a SET has up to 64),
 * and MariaDB prints it signed. An ENUM keeps its index, the error value 0 included, when copied as
 * it is (checked on both servers); through a number a strict session would refuse index 0.
 */
import type { ColumnMeta } from '../catalog/table-meta.js';
import { quoteId } from '../db/quote.js';

/** The expression a server-side copy reads `ref` (a column of type `col.dataType`) with. */
export function copiedValueSql(ref: string, col: Pick<ColumnMeta, 'dataType'>): string {
  return col.dataType.toLowerCase() === 'set' ? `CAST(${ref} AS UNSIGNED)` : ref;
}

/** The select list of a server-side copy of `columns`, `alias.` before each when given. */
export function copiedSelectList(columns: readonly Pick<ColumnMeta, 'name' | 'dataType'>[], alias = ''): string {
  const p = alias ? `${alias}.` : '';
  return columns.map((c) => copiedValueSql(`${p}${quoteId(c.name)}`, c)).join(', ');
}

/** The quoted names of the SET columns among `columns`, for callers that hold quoted column lists. */
export function setColumnsOf(columns: readonly Pick<ColumnMeta, 'name' | 'dataType'>[]): Set<string> {
  return new Set(columns.filter((c) => c.dataType.toLowerCase() === 'set').map((c) => quoteId(c.name)));
}
