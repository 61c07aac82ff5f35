/**
 * The check a moved chunk passes before the rows leave where they were: every row of the original
 * has a copy with the same key whose exact text is the same, byte for byte. Used by archive
 * (source → archive) and unarchive (archive → source).
 *
 * The exact text is the row digest's (src/rows/row-digest-sql.ts: strings as their stored bytes,
 * FLOAT through DOUBLE, TIMESTAMP as epoch seconds, ENUM and SET with their index, NULL a mark no
 * value prints), compared whole on a join of the two tables by primary key, in one statement per
 * key list. Until 2 December the check summed SHA-256 row digests on each side in two statements:
 * equal texts are stronger (no 2^-64 chance of two sums agreeing) and cheaper (no hashing, one
 * statement; 25–35% less time on the CRM's largest tables, MariaDB 10.11, 60,000 keys).
 *
 * A row whose text is longer than max_allowed_packet has none (the server's CONCAT gives NULL and
 * warns), so it never compares equal and its chunk is refused with that reason; the digest sums let
 * it pass unchecked (SHA2 of NULL is NULL, which SUM skips).
 */
import type { TableMeta } from '../../src/catalog/table-meta.js';
import type { Row, SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { DualpipeError } from '../../src/errors.js';
import { digestColumns, rowTextSql, sameRowTextSql } from '../../src/rows/row-digest-sql.js';
import { BY_PRIMARY, keyLists } from './key-sql.js';

/** `ON` and the equality of the two rows' exact texts, for originals aliased `o` and copies `c`. */
function sameRowJoin(meta: TableMeta): { on: string; same: string } {
  const on = meta.primaryKey.map((k) => `c.${quoteId(k)} = o.${quoteId(k)}`).join(' AND ');
  return { on, same: sameRowTextSql(digestColumns(meta), 'o', 'c') };
}

/** How many rows of `from`.`meta` keyed by `rows` have a copy in `to` with the same exact text. */
export async function countSameRows(conn: SqlConnection, from: string, to: string, meta: TableMeta, rows: readonly Row[]): Promise<number> {
  const { on, same } = sameRowJoin(meta);
  let n = 0;
  for (const w of keyLists('o', meta.primaryKey, rows)) {
    const [r] = await conn.query<{ n: number | string }>(
      `SELECT COUNT(*) AS n FROM ${qualify(from, meta.name)} AS o ${BY_PRIMARY} JOIN ${qualify(to, meta.name)} AS c ${BY_PRIMARY} ON ${on} WHERE ${w.sql} AND ${same}`,
      w.params,
    );
    n += Number(r!.n);
  }
  return n;
}

/** The key of one row of `rows` whose copy is missing or differs (only asked once the count says one does). */
async function firstDiffering(conn: SqlConnection, from: string, to: string, meta: TableMeta, rows: readonly Row[]): Promise<string> {
  const { on, same } = sameRowJoin(meta);
  const pk = meta.primaryKey.map((k) => `o.${quoteId(k)}`).join(', ');
  for (const w of keyLists('o', meta.primaryKey, rows)) {
    const [r] = await conn.query(
      `SELECT ${pk}, ${rowTextSql(digestColumns(meta), 'o')} IS NULL AS __dp_too_long FROM ${qualify(from, meta.name)} AS o ${BY_PRIMARY}
        WHERE ${w.sql} AND NOT EXISTS (SELECT 1 FROM ${qualify(to, meta.name)} AS c WHERE ${on} AND ${same}) LIMIT 1`,
      w.params,
    );
    // A row whose text is longer than max_allowed_packet has none (CONCAT gives NULL): it cannot be compared, so it never passes.
    if (r) return `${keyText(meta, r)}${Number(r.__dp_too_long) ? ': the row is longer than max_allowed_packet and cannot be compared; raise max_allowed_packet on the server' : ''}`;
  }
  // Every original found has its copy: some key is missing from `from` itself.
  const have = new Set<string>();
  for (const w of keyLists('o', meta.primaryKey, rows))
    for (const r of await conn.query(`SELECT ${pk} FROM ${qualify(from, meta.name)} AS o ${BY_PRIMARY} WHERE ${w.sql}`, w.params)) have.add(keyText(meta, r));
  const gone = rows.find((r) => !have.has(keyText(meta, r)));
  if (gone) return `${keyText(meta, gone)}, missing from ${from}`;
  return 'unknown';
}

function keyText(meta: TableMeta, r: Row): string {
  return meta.primaryKey.map((k) => String(r[k] as string)).join(', ');
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
    const same = await countSameRows(conn, what.from, what.to, meta, list);
    if (same !== list.length) {
      const key = await firstDiffering(conn, what.from, what.to, meta, list);
      throw new DualpipeError(
        `${what.verb} of ${t} failed at chunk ${what.chunkNo}: ${list.length - same} of ${list.length} row(s) in ${what.to} are missing or differ from ${what.from} (e.g. key ${key})`,
        { hint: 'nothing was removed from where the rows were; the next run takes the chunk again' },
      );
    }
  }
}
