/**
 * Brings one shadow mirror up to the snapshot for a set of primary keys: the keys go into a
 * small key table on the report server, the shadow's rows of those keys are deleted, and the
 * rows the snapshot has for them are fetched and written back. A key whose row is gone stays
 * deleted; one that changed comes back changed. Reports hear of the keys through the key table
 * (refresh-reports.ts), before and after the rewrite.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { columnDefs } from '../../src/catalog/column-defs.js';
import { copyRows } from '../../src/rows/copy-rows.js';
import { rowSetSumSql } from '../../src/rows/row-digest-sql.js';
import { copiedSelectList, setColumnsOf } from '../../src/rows/server-copy-sql.js';
import { batches } from '../../src/batches.js';
import { keyInSql, keyJoinSql, keyTuple } from '../capture/key-sql.js';
import { shadowName } from '../shadow/shadow-set.js';
import { type TableMeta, writableColumns } from '../../src/catalog/table-meta.js';
import { tempName } from '../../src/catalog/temp-names.js';
import { stageJournalRows } from './copy-from-live.js';
import { mergeRows, mergesInPlace } from './merge-rows.js';

/** The key table of a mirror in one run (a temporary name: left-overs are dropped like the others). */
export const changedKeysTable = (table: string) => tempName('new', `chg_${table}`);

/**
 * Fills the mirror's key table (`changedKeysTable`), made afresh, with `keys`, the canonical JSON
 * keys of the change log.
 */
export async function fillChangedKeys(conn: SqlConnection, schema: string, meta: TableMeta, keys: readonly string[], table = changedKeysTable(meta.name)): Promise<void> {
  const chg = qualify(schema, table);
  const pk = meta.primaryKey.map(quoteId).join(', ');
  await conn.execute(`DROP TABLE IF EXISTS ${chg}`);
  // Same column types and collation as the mirror: keys that the server thinks equal collapse here.
  const defs = await columnDefs(conn, schema, shadowName(meta.name), meta.primaryKey);
  await conn.execute(`CREATE TABLE ${chg} (${defs.join(', ')}, PRIMARY KEY (${pk})) ENGINE=MyISAM`);
  for (const batch of batches(keys, 1000)) {
    await conn.execute(`INSERT IGNORE INTO ${chg} (${pk}) VALUES ${batch.map((k) => (meta.primaryKey.length === 1 ? `(${keyTuple(meta, k)})` : keyTuple(meta, k))).join(', ')}`);
  }
}

/** Rows an apply deleted from the shadow mirror, and rows it wrote back from the snapshot. */
export interface ApplyResult {
  rowsDeleted: number;
  rowsWritten: number;
}

/**
 * COUNT(*) and the SUM of the row digests of the rows matching `where`: engine-independent, the
 * same checksum the full sync's repair uses (a SUM, so duplicate rows of keyless tables count).
 */
async function rowsSum(conn: SqlConnection, schema: string, table: string, meta: TableMeta, where: string): Promise<string> {
  const r = await conn.query<{ __dp_rows: string | number; __dp_sum: string | number | null }>(
    `SELECT ${rowSetSumSql(meta)} FROM ${qualify(schema, table)} WHERE ${where}`,
  );
  return `${r[0]?.__dp_rows ?? 0}:${r[0]?.__dp_sum ?? 0}`;
}

const batchSum = (conn: SqlConnection, schema: string, table: string, meta: TableMeta, batch: readonly string[]) =>
  rowsSum(conn, schema, table, meta, keyInSql(meta, '', batch));

/** The stage table of a mirror's rows in one run (a temporary name, beside the key table). */
export const stagedRowsTable = (table: string) => tempName('new', `stg_${table}`);

/**
 * Brings the shadow rows of the keys (already in the key table) to the snapshot. The rows are
 * first gathered in a stage table with the mirror's stored columns and its primary key only: on
 * one server each batch is copied server-side by `copier`, a READ COMMITTED session (InnoDB makes
 * `INSERT … SELECT` a locking read of the newest rows under REPEATABLE READ, so the snapshot
 * session can not do it); a batch whose checksum then differs from the snapshot's (a writer
 * committed after the snapshot) is deleted again and streamed from the snapshot. Without `copier`
 * every row streams through the client. The stage is then merged into the shadow: in place when
 * the primary key is the mirror's only unique index (merge-rows.ts: an update that moves only
 * `updated_at` touches no index), else by deleting every key's rows and inserting the stage's.
 */
export async function applyKeys(
  snap: SqlConnection,
  writer: SqlConnection,
  o: {
    sourceSchema: string;
    reportSchema: string;
    meta: TableMeta;
    keys: readonly string[];
    copier?: SqlConnection | undefined;
    /** Waits while the source is too busy (the run's throttle); called before each batch. */
    pace?: () => Promise<void>;
    /**
     * The key table holds the journal's keys too, `keys` only this run's own (listed again in the
     * table `own`): the others are copied from the live tables in schema `live` (copy-from-live.ts).
     */
    journal?: { live: string; own: string };
    /** Runs once every row is staged, before the shadow changes (with the stage table's name). */
    beforeMerge?: (stage: string) => Promise<void>;
  },
): Promise<ApplyResult & { rowsFromLive: number; batchesRepaired: number }> {
  const shadowTable = shadowName(o.meta.name);
  const shadow = qualify(o.reportSchema, shadowTable);
  const chg = qualify(o.reportSchema, changedKeysTable(o.meta.name));
  const stageTable = stagedRowsTable(o.meta.name);
  const stage = qualify(o.reportSchema, stageTable);
  // The stored columns, and key columns the server generates (MySQL allows a STORED generated
  // column in a primary key): the stage must hold the key to be joined by it.
  const columns = writableColumns(o.meta);
  const staged = o.meta.columns.filter((c) => !c.generated || o.meta.primaryKey.includes(c.name));
  const cols = columns.map((c) => quoteId(c.name));
  const colList = cols.join(', ');
  const stagedCols = staged.map((c) => quoteId(c.name));
  const stagedList = stagedCols.join(', ');
  await writer.execute(`DROP TABLE IF EXISTS ${stage}`);
  const defs = await columnDefs(writer, o.reportSchema, shadowTable, staged.map((c) => c.name));
  await writer.execute(`CREATE TABLE ${stage} (${defs.join(', ')}, PRIMARY KEY (${o.meta.primaryKey.map(quoteId).join(', ')})) ENGINE=MyISAM`);
  try {
    const rowsFromLive = o.journal
      ? await stageJournalRows(writer, { work: o.reportSchema, live: o.journal.live, meta: o.meta, stage: stageTable, cols: stagedCols, all: changedKeysTable(o.meta.name), own: o.journal.own })
      : 0;
    let batchesRepaired = 0;
    const stream = (batch: readonly string[]) =>
      // REPLACE: two key texts the server collates as equal fetch the same row twice.
      copyRows(snap, writer, { schema: o.sourceSchema, table: o.meta.name }, { schema: o.reportSchema, table: stageTable }, staged, keyInSql(o.meta, '', batch), undefined, {
        replace: true,
      });
    for (const batch of batches(o.keys, 1000)) {
      await o.pace?.();
      if (!o.copier) {
        await stream(batch);
        continue;
      }
      await o.copier.execute(`INSERT INTO ${stage} (${stagedList}) SELECT ${copiedSelectList(staged)} FROM ${qualify(o.sourceSchema, o.meta.name)} WHERE ${keyInSql(o.meta, '', batch)}`);
      const [want, have] = [await batchSum(snap, o.sourceSchema, o.meta.name, o.meta, batch), await batchSum(writer, o.reportSchema, stageTable, o.meta, batch)];
      if (want === have) continue;
      batchesRepaired++;
      await writer.execute(`DELETE FROM ${stage} WHERE ${keyInSql(o.meta, '', batch)}`);
      await stream(batch);
    }
    await o.beforeMerge?.(stageTable);
    if (await mergesInPlace(writer, o.reportSchema, shadowTable, o.meta.primaryKey)) {
      const on = (a: string, b: string) => keyJoinSql(o.meta, a, b);
      const m = await mergeRows(writer, { target: shadow, from: stage, keys: chg, fromKeyed: true, on, cols, setColumns: setColumnsOf(columns) });
      return { rowsDeleted: m.deleted, rowsWritten: m.updated + m.inserted, rowsFromLive, batchesRepaired };
    }
    const deleted = await writer.execute(`DELETE __dp_s FROM ${shadow} AS __dp_s JOIN ${chg} AS __dp_x ON ${keyJoinSql(o.meta, '__dp_s', '__dp_x')}`);
    const written = await writer.execute(`INSERT INTO ${shadow} (${colList}) SELECT ${copiedSelectList(columns)} FROM ${stage}`);
    return { rowsDeleted: deleted.affectedRows, rowsWritten: written.affectedRows, rowsFromLive, batchesRepaired };
  } finally {
    // Not in the way of the error that brought us here (a lost session); a left-over stage is
    // dropped with the run's other temporary tables.
    await writer.execute(`DROP TABLE IF EXISTS ${stage}`).catch(() => undefined);
  }
}

/**
 * Replaces a whole shadow mirror with the snapshot's rows (truncated or uncaptured tables). On one
 * server the rows are copied server-side by `copier` and kept when the table's checksum equals
 * the snapshot's, as applyKeys does per batch; otherwise, and without `copier`, they stream from
 * the snapshot. (Streaming every row also broke keyless tables whose values the client cannot
 * write back as it reads them, such as GEOMETRY, which mysql2 parses into objects.)
 */
export async function applyWholeTable(
  snap: SqlConnection,
  writer: SqlConnection,
  o: { sourceSchema: string; reportSchema: string; meta: TableMeta; copier?: SqlConnection | undefined },
): Promise<ApplyResult & { batchesRepaired: number }> {
  const shadowTable = shadowName(o.meta.name);
  const shadow = qualify(o.reportSchema, shadowTable);
  const before = await writer.query<{ n: string | number }>(`SELECT COUNT(*) AS n FROM ${shadow}`);
  const rowsDeleted = Number(before[0]?.n ?? 0);
  await writer.execute(`DELETE FROM ${shadow}`);
  const columns = writableColumns(o.meta);
  if (o.copier) {
    const colList = columns.map((c) => quoteId(c.name)).join(', ');
    const copied = await o.copier.execute(`INSERT INTO ${shadow} (${colList}) SELECT ${copiedSelectList(columns)} FROM ${qualify(o.sourceSchema, o.meta.name)}`);
    const want = await rowsSum(snap, o.sourceSchema, o.meta.name, o.meta, '1=1');
    if (want === (await rowsSum(writer, o.reportSchema, shadowTable, o.meta, '1=1'))) {
      return { rowsDeleted, rowsWritten: copied.affectedRows, batchesRepaired: 0 };
    }
    await writer.execute(`DELETE FROM ${shadow}`);
  }
  const written = await copyRows(snap, writer, { schema: o.sourceSchema, table: o.meta.name }, { schema: o.reportSchema, table: shadowTable }, columns);
  return { rowsDeleted, rowsWritten: written, batchesRepaired: o.copier ? 1 : 0 };
}
