/**
 * The changed keys of a mirror that can change a report: a row that came or went, or whose old and
 * new versions differ in a column some incremental report reads (report-columns.ts). Reports
 * collect their keys from these only. The others (at 1% changed on the bench, nearly every update:
 * they move `updated_at`, which no CRM report reads) are still applied to the mirror, but no
 * report row is recomputed for them.
 *
 * Two versions are equal when every read column is equal by value and by its bytes as text
 * (`CAST(… AS BINARY)`): a change of case or accents only, which the collation calls equal, and a
 * FLOAT moving from 0 to -0 both count as changes.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { columnDefs } from '../../src/catalog/column-defs.js';
import type { TableMeta } from '../../src/catalog/table-meta.js';
import { tempName } from '../../src/catalog/temp-names.js';
import { keyJoinSql } from '../capture/key-sql.js';
import { shadowName } from '../shadow/shadow-set.js';

/** The table of a mirror's keys that the reports of group `n` see, beside its key table (a temporary name). */
export const relevantKeysTable = (table: string, n: number) => tempName('new', `rel${n}_${table}`);

/** The same for this run's own keys, judged against the live set (copy-from-live.ts). */
export const relevantOwnKeysTable = (table: string, n: number) => tempName('new', `rlo${n}_${table}`);

/**
 * `a` and `b` hold the same values of `columns`. An ENUM or SET is compared by its number too: the
 * member '' and the error value '' (ENUM), or the member '' and the empty set (SET), have the same
 * text and bytes but not the same number, which a report may show (`grade + 0`). Pure.
 */
export function sameColumnsSql(columns: readonly { name: string; dataType: string }[], a: string, b: string): string {
  if (columns.length === 0) return '1=1';
  return columns
    .map((c) => {
      const [x, y] = [`${a}.${quoteId(c.name)}`, `${b}.${quoteId(c.name)}`];
      const byNumber = ['enum', 'set'].includes(c.dataType.toLowerCase()) ? ` AND ${x} + 0 <=> ${y} + 0` : '';
      return `${x} <=> ${y} AND CAST(${x} AS BINARY) <=> CAST(${y} AS BINARY)${byNumber}`;
    })
    .join(' AND ');
}

/**
 * Writes into table `into` (made afresh in `work`) the keys of table `keys` whose row in `old`
 * (qualified) and in the stage table `stage` are not both there with equal `columns`.
 */
export async function fillRelevantKeys(
  conn: SqlConnection,
  o: { work: string; meta: TableMeta; keys: string; old: string; stage: string; into: string; columns: readonly string[] },
): Promise<number> {
  const into = qualify(o.work, o.into);
  const read = o.columns.map((name) => o.meta.columns.find((c) => c.name === name) ?? { name, dataType: '' });
  const pk = o.meta.primaryKey.map(quoteId);
  await conn.execute(`DROP TABLE IF EXISTS ${into}`);
  const defs = await columnDefs(conn, o.work, shadowName(o.meta.name), o.meta.primaryKey);
  await conn.execute(`CREATE TABLE ${into} (${defs.join(', ')}, PRIMARY KEY (${pk.join(', ')})) ENGINE=MyISAM`);
  const r = await conn.execute(
    `INSERT INTO ${into} (${pk.join(', ')}) SELECT ${pk.map((c) => `__dp_k.${c}`).join(', ')} FROM ${qualify(o.work, o.keys)} AS __dp_k
      WHERE NOT EXISTS (SELECT 1 FROM ${o.old} AS __dp_o JOIN ${qualify(o.work, o.stage)} AS __dp_n ON ${keyJoinSql(o.meta, '__dp_o', '__dp_n')}
                         WHERE ${keyJoinSql(o.meta, '__dp_o', '__dp_k')} AND ${sameColumnsSql(read, '__dp_o', '__dp_n')})`,
  );
  return r.affectedRows;
}
