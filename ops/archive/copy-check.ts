/**
 * The check a moved chunk passes before the rows leave where they were: for each table, the count
 * and the sum of row digests (computed by SQL on both sides, over the same keys) of the copy equal
 * those of the original. Used by archive (source → archive) and unarchive (archive → source).
 */
import type { TableMeta } from '../../src/catalog/table-meta.js';
import type { Row, SqlConnection } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import { DualpipeError } from '../../src/errors.js';
import { rowSetSumSql } from '../../src/rows/row-digest-sql.js';
import { BY_PRIMARY, keyLists } from './key-sql.js';

/** `rows:sum` of the rows of `schema.meta` whose keys are those of `rows`. */
export async function keyedRowSum(conn: SqlConnection, schema: string, meta: TableMeta, rows: readonly Row[]): Promise<string> {
  let n = 0n;
  let total = 0n;
  for (const w of keyLists('s', meta.primaryKey, rows)) {
    const [r] = await conn.query<{ __dp_rows: number | string; __dp_sum: number | string }>(`SELECT ${rowSetSumSql(meta, 's')} FROM ${qualify(schema, meta.name)} AS s ${BY_PRIMARY} WHERE ${w.sql}`, w.params);
    n += BigInt(r!.__dp_rows);
    total += BigInt(r!.__dp_sum);
  }
  return `${n}:${total}`;
}

/** Throws unless every table's copy in `to` equals its original in `from`, row for row, over the keys of `rows`. */
export async function checkCopy(
  conn: SqlConnection,
  what: { verb: string; from: string; to: string; chunkNo: number },
  metas: ReadonlyMap<string, TableMeta>,
  rows: ReadonlyMap<string, readonly Row[]>,
): Promise<void> {
  for (const [t, list] of rows) {
    const meta = metas.get(t)!;
    const [want, got] = [await keyedRowSum(conn, what.from, meta, list), await keyedRowSum(conn, what.to, meta, list)];
    if (want !== got || !want.startsWith(`${list.length}:`))
      throw new DualpipeError(`${what.verb} of ${t} failed at chunk ${what.chunkNo}: the copy in ${what.to} differs from ${what.from} (${want} vs ${got}, ${list.length} rows expected)`, {
        hint: 'nothing was removed from where the rows were; the next run takes the chunk again',
      });
  }
}
