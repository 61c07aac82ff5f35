/**
 * The journal's keys, copied from the live set instead of read again from the source.
 *
 * The shadow set is behind the live set by the journal: keys earlier runs (or, after a full sync,
 * the binlog catch-up) applied to the live set. A journal key that this run's own changes do not
 * touch has, at this run's snapshot, the very row the live mirror holds, and a report row that no
 * own change touches has the live report's value (the keys a report collects from changed rows,
 * in their old and new versions, are what the incremental refresh already relies on). Such rows
 * are copied on the report server from the live tables, which the run lock keeps still: no read
 * of the source, no checksum, and no report recomputed twice. Keys are compared by the server
 * (a join on the key tables), so two key texts the collation calls equal are one key here too.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import { copiedValueSql, setColumnsOf } from '../../src/rows/server-copy-sql.js';
import { tempName } from '../../src/catalog/temp-names.js';
import type { TableMeta } from '../../src/catalog/table-meta.js';
import { keyJoinSql } from '../capture/key-sql.js';
import { shadowName } from '../shadow/shadow-set.js';
import { reportKeyJoin, rewriteReportRows } from './rewrite-report-rows.js';

/** The table of this run's own keys of a mirror, beside its key table (changedKeysTable). */
export const ownKeysTable = (table: string) => tempName('new', `own_${table}`);

/** The table of the report keys this run's own changes touch, beside the report's key table. */
export const ownReportKeysTable = (report: string) => tempName('new', `okey_${report}`);

/**
 * Writes into the mirror's stage table (`stage`, in `work` beside the key tables) the live rows
 * of the keys in `all` that `own` lacks (`live` holds the published tables), in the stage's
 * columns `cols` (quoted); applyKeys merges the stage into the shadow. Returns the rows written.
 */
export async function stageJournalRows(conn: SqlConnection, o: { work: string; live: string; meta: TableMeta; stage: string; cols: readonly string[]; all: string; own: string }): Promise<number> {
  // NOT EXISTS, not `own.key IS NULL` after an outer join: a zero-date key would count as NULL
  // there (merge-rows.ts), and its live row would be staged beside the snapshot's.
  const sets = setColumnsOf(o.meta.columns);
  const ins = await conn.execute(
    `INSERT INTO ${qualify(o.work, o.stage)} (${o.cols.join(', ')}) SELECT ${o.cols.map((c) => copiedValueSql(`__dp_l.${c}`, { dataType: sets.has(c) ? 'set' : '' })).join(', ')}
       FROM ${qualify(o.live, o.meta.name)} AS __dp_l JOIN ${qualify(o.work, o.all)} AS __dp_x ON ${keyJoinSql(o.meta, '__dp_l', '__dp_x')}
      WHERE NOT EXISTS (SELECT 1 FROM ${qualify(o.work, o.own)} AS __dp_o WHERE ${keyJoinSql(o.meta, '__dp_x', '__dp_o')})`,
  );
  return ins.affectedRows;
}

/** How many keys of the report's key table own changes touched: those the refresh recomputes. */
export async function countOwnOfKeys(conn: SqlConnection, o: { work: string; key: readonly string[]; keys: string; own: string }): Promise<number> {
  const n = await conn.query<{ n: string | number }>(`SELECT COUNT(*) AS n FROM ${qualify(o.work, o.keys)} AS k JOIN ${qualify(o.work, o.own)} AS o ON ${reportKeyJoin(o.key, 'k', 'o')}`);
  return Number(n[0]?.n ?? 0);
}

/**
 * Copies the live report rows of the keys in the report's key table that no own change touched
 * (only rows that differ are written), then leaves in the key table only the keys to recompute.
 * Returns the keys copied.
 */
export async function copyReportRows(
  conn: SqlConnection,
  o: { work: string; live: string; report: string; key: readonly string[]; keys: string; own: string; cols: readonly string[]; inPlace: boolean },
): Promise<number> {
  const keys = qualify(o.work, o.keys);
  const on = (a: string, b: string) => reportKeyJoin(o.key, a, b);
  const copied = qualify(o.work, tempName('new', `cpy_${o.report}`));
  await conn.execute(`DROP TABLE IF EXISTS ${copied}`);
  await conn.execute(`CREATE TABLE ${copied} LIKE ${keys}`);
  try {
    // NOT EXISTS, as in stageJournalRows: a zero-date key an own change touched would be copied, not recomputed.
    await conn.execute(`INSERT INTO ${copied} SELECT k.* FROM ${keys} AS k WHERE NOT EXISTS (SELECT 1 FROM ${qualify(o.work, o.own)} AS o WHERE ${on('k', 'o')})`);
    await rewriteReportRows(conn, {
      target: qualify(o.work, shadowName(o.report)),
      from: qualify(o.live, o.report),
      keys: copied,
      fromKeyed: false,
      key: o.key,
      cols: o.cols,
      inPlace: o.inPlace,
    });
    return (await conn.execute(`DELETE k FROM ${keys} AS k JOIN ${copied} AS c ON ${on('k', 'c')}`)).affectedRows;
  } finally {
    await conn.execute(`DROP TABLE IF EXISTS ${copied}`);
  }
}
