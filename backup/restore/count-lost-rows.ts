/**
 * What a replace restore discards: the rows written to the live tables since the backup's (or the
 * last sync's) snapshot. Pure: chooses how to count and builds the SQL; lost-rows.ts runs it.
 *
 * Two methods, the more exact one whenever it is available:
 * - `compared` (the authority, before every swap): the backup is loaded and verified in the staging
 *   schema on the same server as the live tables, so each replaced table is compared with its staged
 *   copy by primary key and 64-bit row digest (the restore checksum's digest, row-digest-sql.ts).
 *   Exact up to a digest collision (2^-64 per changed row), and bounded: the server joins on the
 *   primary key and returns three counts, no row travels to the client. It counts rows inserted or
 *   changed since the backup (live rows absent from or different in the backup) and rows deleted
 *   since (backup rows absent live, which the restore brings back).
 * - `change-log` (before the load: `--dry-run` and the confirmation): the changed keys pending in the
 *   capture log, per table. The log holds exactly the changes since the last sync's snapshot, so it
 *   reaches back to a backup only when capture is installed, the backup is of the last successful
 *   sync, no reinstall happened since, and the restore goes into the captured source schema. Cascaded
 *   foreign-key deletes fire no triggers and are not in the log, so it may count fewer than the
 *   comparison will; a key written and then deleted again counts once.
 * Otherwise the count is unknown before the load, with the reason; the comparison still runs.
 */
import { copiedSelectList } from '../../src/rows/server-copy-sql.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { type TableMeta, writableColumns } from '../../src/catalog/table-meta.js';
import { rowDigestSql, rowSetSumSql } from '../../src/rows/row-digest-sql.js';

/** The rows a restore discards, per table (plain data: printed, returned in results). */
export interface LostRowCount {
  /** How they were counted: the staged comparison, the capture log, or not at all. */
  method: 'compared' | 'change-log' | 'unknown';
  /** Rows known to be discarded, over all tables. */
  rows: number;
  /** The tables with discarded rows (only those with some), by name. */
  tables: LostTable[];
  /** Replaced tables whose discarded rows could not be counted, with the reason. */
  unknown: { table: string; why: string }[];
  /** Why the more exact method was not available (the change log's reach). */
  note?: string;
  /**
   * Tables whose live rows changed between the count and the swap (a writer committed while the
   * RENAME waited for it): those rows were neither counted nor kept, and are only in the previous
   * schema (the rollback window). Found after the swap by the tables' row-set sums.
   */
  changedDuringSwap?: string[];
}

/** One table's discarded rows; `added`/`changed`/`removed` when compared. */
export interface LostTable {
  table: string;
  rows: number;
  /** Live rows whose key is not in the backup (inserted since). */
  added?: number;
  /** Live rows whose key is in the backup with other content (updated since). */
  changed?: number;
  /** Backup rows whose key is not live (deleted since: the restore brings them back). */
  removed?: number;
}

/** What decides whether the capture log reaches back to the backup's snapshot. */
export interface LogReachInput {
  target: string;
  /** The manifest's source schema and the sync run its mirrors are of. */
  backupSourceSchema: string;
  backupSyncRunId: number;
  /** The capture installation id in the target (null: not installed). */
  captureId: number | null;
  /** Tables with all three capture triggers. */
  captured: readonly string[];
  /** The last successful sync (its id and the capture id it ran with), when the history was read. */
  lastSync: { id: number; captureId: number | null } | null | undefined;
  /** The live tables the restore replaces. */
  replaced: readonly string[];
}

/** Whether the capture log can count the lost rows, and of which tables; or why not. Pure. */
export function logReach(i: LogReachInput): { tables: string[]; unknown: { table: string; why: string }[] } | { why: string } {
  if (i.target !== i.backupSourceSchema) return { why: `the backup is of ${i.backupSourceSchema}, the restore goes into ${i.target}: no change log of it covers the backup` };
  if (i.captureId === null) return { why: 'change capture is not installed, so no log of the writes since the backup exists' };
  if (i.lastSync === undefined) return { why: 'the sync history was not read (no report connection given)' };
  if (i.lastSync === null) return { why: 'no successful sync is recorded' };
  if (i.lastSync.id !== i.backupSyncRunId)
    return { why: `sync #${i.lastSync.id} ran after the backup's sync #${i.backupSyncRunId} and consumed the log of the writes in between` };
  if (i.lastSync.captureId !== i.captureId) return { why: 'change capture was reinstalled after the backup\'s sync: the log does not reach back' };
  const captured = new Set(i.captured);
  return {
    tables: i.replaced.filter((t) => captured.has(t)),
    unknown: i.replaced.filter((t) => !captured.has(t)).map((table) => ({ table, why: 'not captured (no primary key or triggers missing)' })),
  };
}

/** Per table, the distinct keys pending in the change log (a key changed twice is one row). */
export function pendingKeysSql(schema: string, changeLog: string): string {
  return `SELECT tbl, COUNT(DISTINCT pk) AS n FROM ${qualify(schema, changeLog)} GROUP BY tbl`;
}

/** `l.k1 = s.k1 AND ...`: the primary-key join of live (`l`) and staged (`s`) rows. */
function keyJoin(meta: TableMeta): string {
  return meta.primaryKey.map((k) => `l.${quoteId(k)} = s.${quoteId(k)}`).join(' AND ');
}

/** Live rows the restore discards: absent from the staged backup, or different there. */
function lostWhere(meta: TableMeta): string {
  const first = quoteId(meta.primaryKey[0]!);
  return `s.${first} IS NULL OR ${rowDigestSql(meta, 'l')} <> ${rowDigestSql(meta, 's')}`;
}

/**
 * The two statements comparing live `target`.`t` with staged `staging`.`t` (which needs a primary
 * key): live rows inserted (`added`) or changed since, then backup rows deleted since (`removed`).
 */
export function compareSql(target: string, staging: string, meta: TableMeta): { live: string; removed: string } {
  const first = quoteId(meta.primaryKey[0]!);
  const from = `${qualify(target, meta.name)} l LEFT JOIN ${qualify(staging, meta.name)} s ON ${keyJoin(meta)}`;
  return {
    live: `SELECT COALESCE(SUM(s.${first} IS NULL), 0) AS added, COALESCE(SUM(s.${first} IS NOT NULL), 0) AS changed FROM ${from} WHERE ${lostWhere(meta)}`,
    removed:
      `SELECT COUNT(*) AS n FROM ${qualify(staging, meta.name)} s LEFT JOIN ${qualify(target, meta.name)} l ON ${keyJoin(meta)} ` +
      `WHERE l.${first} IS NULL`,
  };
}

/**
 * `--keep-lost`: copies the live rows the restore discards into `keep`.`t` (created beforehand
 * LIKE the live table). With a primary key exactly the added and changed rows, as they are live
 * now; without one the whole live table (no row can be matched to the backup's).
 */
export function keepRowsSql(target: string, staging: string, keep: string, meta: TableMeta): string {
  const cols = writableColumns(meta).map((c) => quoteId(c.name));
  const into = `INSERT INTO ${qualify(keep, meta.name)} (${cols.join(', ')}) `;
  if (!meta.primaryKey.length) return `${into}SELECT ${copiedSelectList(writableColumns(meta))} FROM ${qualify(target, meta.name)}`;
  return (
    `${into}SELECT ${copiedSelectList(writableColumns(meta), 'l')} FROM ${qualify(target, meta.name)} l ` +
    `LEFT JOIN ${qualify(staging, meta.name)} s ON ${keyJoin(meta)} WHERE ${lostWhere(meta)}`
  );
}

/** `__dp_rows` and `__dp_sum` of every row of `schema`.`t`: equal before and after only if no row changed (up to 2^-64). */
export function tableSumSql(schema: string, meta: TableMeta): string {
  return `SELECT ${rowSetSumSql(meta)} FROM ${qualify(schema, meta.name)}`;
}

/** Sums per-table counts into a LostRowCount (tables with none left out, sorted by name). Pure. */
export function summarizeLost(method: LostRowCount['method'], tables: readonly LostTable[], unknown: LostRowCount['unknown'], note?: string): LostRowCount {
  const some = tables.filter((t) => t.rows > 0).sort((a, b) => a.table.localeCompare(b.table));
  return { method, rows: some.reduce((a, t) => a + t.rows, 0), tables: some, unknown: [...unknown], ...(note ? { note } : {}) };
}

/** "N rows in M tables written since the backup will be discarded: a (3), b (1)", and what is unknown. Pure. */
export function describeLost(lost: LostRowCount, since: string): string {
  const parts: string[] = [];
  if (lost.method !== 'unknown' || lost.rows > 0)
    parts.push(
      `${lost.rows} row(s) in ${lost.tables.length} table(s) written since the ${since} will be discarded` +
        (lost.tables.length ? `: ${lost.tables.map((t) => `${t.table} (${t.rows})`).join(', ')}` : '') +
        (lost.method === 'change-log' ? ' (counted from the change-capture log)' : ''),
    );
  if (lost.method === 'unknown')
    parts.push(`rows written since the ${since}: unknown before the load (${lost.note ?? 'no method'}); the restore counts them exactly before the swap`);
  for (const u of lost.unknown) parts.push(`${u.table}: discarded rows not counted (${u.why})`);
  if (lost.changedDuringSwap?.length)
    parts.push(
      `rows of ${lost.changedDuringSwap.join(', ')} were committed after the count, while the swap waited: not counted or kept, ` +
        'they are only in the previous schema (--rollback puts those tables back)',
    );
  return parts.join('; ');
}
