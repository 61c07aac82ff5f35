/**
 * Runs the counting of count-lost-rows.ts: from the capture log before the load, by comparison with
 * the staged backup before the swap, and `--keep-lost`'s copy of the discarded rows.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { UsageError } from '../../src/errors.js';
import { discoverTables } from '../../src/catalog/discover-tables.js';
import type { TableMeta } from '../../src/catalog/table-meta.js';
import type { HistoryPlace } from '../../src/history/record-run.js';
import { lastSucceededSync } from '../../src/history/run-history.js';
import { withSession } from '../../src/db/with-session.js';
import { readCapture } from '../../sync/capture/capture.js';
import { CHANGE_LOG_TABLE } from '../../sync/capture/capture-sql.js';
import type { Manifest } from '../format/manifest.js';
import { compareSql, keepRowsSql, tableSumSql, logReach, type LostRowCount, type LostTable, pendingKeysSql, summarizeLost } from './count-lost-rows.js';
import { SYSTEM_SCHEMAS } from './inspect-target.js';
import type { RestorePlan } from './plan-restore.js';

/** Before the load: the lost rows from the capture log when it reaches back to the backup, else unknown with why. */
export async function countLostFromLog(admin: SqlConnection, plan: RestorePlan, m: Manifest, history: HistoryPlace | undefined): Promise<LostRowCount> {
  const target = plan.schemas.target;
  const capture = m.sourceSchema === target ? await readCapture(admin, target) : undefined;
  let lastSync: { id: number; captureId: number | null } | null | undefined;
  if (history && capture?.installed) {
    const last = await withSession(history.report, (c) => lastSucceededSync(c, history.reportSchema));
    const details = (last?.details ?? {}) as { captureId?: number | null };
    lastSync = last ? { id: last.id, captureId: details.captureId ?? null } : null;
  }
  const reach = logReach({
    target,
    backupSourceSchema: m.sourceSchema,
    backupSyncRunId: m.sync.runId,
    captureId: capture?.captureId ?? null,
    captured: capture?.captured ?? [],
    lastSync,
    replaced: plan.replaced,
  });
  if ('why' in reach) return summarizeLost('unknown', [], [], reach.why);
  const counts = new Map(
    (await admin.query<{ tbl: string; n: string | number }>(pendingKeysSql(target, CHANGE_LOG_TABLE))).map((r) => [r.tbl, Number(r.n)]),
  );
  return summarizeLost('change-log', reach.tables.map((table) => ({ table, rows: counts.get(table) ?? 0 })), reach.unknown);
}

/**
 * The live tables of `schema` whatever their engine: discoverTables reads one engine (InnoDB by
 * default), and a table that was InnoDB at the backup may have been altered to MyISAM or Aria
 * since; it is still live and replaced, so its rows must be compared and kept like any other's.
 */
async function liveMetas(admin: SqlConnection, schema: string): Promise<Map<string, TableMeta>> {
  const engines = await admin.query<{ e: string }>(
    "SELECT DISTINCT ENGINE AS e FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' AND ENGINE IS NOT NULL",
    [schema],
  );
  const metas = new Map<string, TableMeta>();
  for (const { e } of engines) for (const m of await discoverTables(admin, schema, { engine: e })) metas.set(m.name, m);
  return metas;
}

/** Before the swap: every replaced table compared with its verified staged copy (exact; see count-lost-rows.ts). */
export async function compareLost(admin: SqlConnection, plan: RestorePlan): Promise<LostRowCount> {
  const s = plan.schemas;
  const metas = await liveMetas(admin, s.target);
  const tables: LostTable[] = [];
  const unknown: LostRowCount['unknown'] = [];
  for (const name of plan.replaced) {
    const meta = metas.get(name);
    if (!meta || !meta.primaryKey.length) {
      unknown.push({ table: name, why: meta ? 'no primary key to match rows with the backup by' : 'no longer live' });
      continue;
    }
    const sql = compareSql(s.target, s.staging, meta);
    const live = (await admin.query<{ added: string | number; changed: string | number }>(sql.live))[0];
    const removed = Number((await admin.query<{ n: string | number }>(sql.removed))[0]?.n ?? 0);
    const added = Number(live?.added ?? 0);
    const changed = Number(live?.changed ?? 0);
    tables.push({ table: name, rows: added + changed + removed, added, changed, removed });
  }
  return summarizeLost('compared', tables, unknown);
}

/** Every row-set sum (`rows:sum`) of `tables` in `schema`, by name; a table not there is left out. */
export async function tableSums(admin: SqlConnection, schema: string, tables: readonly string[]): Promise<Map<string, string>> {
  const metas = await liveMetas(admin, schema);
  const sums = new Map<string, string>();
  for (const name of tables) {
    const meta = metas.get(name);
    if (!meta) continue;
    const r = (await admin.query<{ __dp_rows: string | number; __dp_sum: string | number }>(tableSumSql(schema, meta)))[0];
    sums.set(name, `${String(r?.__dp_rows ?? 0)}:${String(r?.__dp_sum ?? 0)}`);
  }
  return sums;
}

/**
 * Counts the lost rows and sums the live tables in one consistent snapshot (InnoDB: the same
 * committed rows for both), so that after the swap a sum of the previous tables that differs
 * shows a writer committed between the count and the RENAME (tableSums of the previous schema).
 */
export async function compareLostInSnapshot(admin: SqlConnection, plan: RestorePlan): Promise<{ lost: LostRowCount; sums: Map<string, string> }> {
  await admin.execute('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
  await admin.execute('START TRANSACTION WITH CONSISTENT SNAPSHOT');
  try {
    const lost = await compareLost(admin, plan);
    return { lost, sums: await tableSums(admin, plan.schemas.target, plan.replaced) };
  } finally {
    await admin.execute('COMMIT');
  }
}

/** Refuses a `--keep-lost` schema that is not a user schema or the restore's own target. */
export function checkKeepSchemaName(keep: string, target: string): void {
  if (!keep || keep.length > 64 || keep === target || SYSTEM_SCHEMAS.has(keep.toLowerCase()) || /__dp_/.test(keep))
    throw new UsageError(`--keep-lost: cannot keep rows in schema "${keep}"`, {
      hint: 'name a user schema of at most 64 characters, other than the restore target and dualpipe\'s own schemas',
    });
}

/** Refuses (before anything is written) when `keep` already holds a table of one of these names. */
export async function checkKeepSchemaFree(admin: SqlConnection, keep: string, tables: readonly string[]): Promise<void> {
  if (!tables.length) return;
  const held = await admin.query<{ n: string }>(
    `SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (${tables.map(() => '?').join(', ')})`,
    [keep, ...tables],
  );
  if (held.length)
    throw new UsageError(`--keep-lost: ${keep} already holds ${held.map((h) => h.n).sort().join(', ')}`, {
      hint: 'name another schema, or move those tables away first',
    });
}

/**
 * Copies the rows the restore discards into `keep` (created if missing): per replaced table with
 * discarded rows, a table LIKE the live one (InnoDB, its indexes; CREATE TABLE ... LIKE copies no
 * foreign keys or triggers, so the kept rows depend on nothing) holding the added and changed live
 * rows, or the whole live table when it has no primary key. Rows the restore brings back (deleted
 * since) have no live row and are not copied. Rows committed between this copy and the swap are not
 * kept: a writer still running during a restore is outside what any restore can save.
 */
export async function keepLostRows(admin: SqlConnection, plan: RestorePlan, keep: string, lost: LostRowCount): Promise<{ schema: string; tables: { table: string; rows: number; whole: boolean }[] }> {
  const s = plan.schemas;
  const wanted = [...lost.tables.filter((t) => (t.added ?? 0) + (t.changed ?? 0) > 0).map((t) => t.table), ...lost.unknown.map((u) => u.table)];
  await checkKeepSchemaFree(admin, keep, wanted);
  const kept: { table: string; rows: number; whole: boolean }[] = [];
  if (!wanted.length) return { schema: keep, tables: kept };
  await admin.execute(`CREATE DATABASE IF NOT EXISTS ${quoteId(keep)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const metas = await liveMetas(admin, s.target);
  for (const name of wanted) {
    const meta = metas.get(name);
    if (!meta) continue;
    await admin.execute(`CREATE TABLE ${qualify(keep, name)} LIKE ${qualify(s.target, name)}`);
    await admin.execute(`ALTER TABLE ${qualify(keep, name)} ENGINE=InnoDB`);
    const r = await admin.execute(keepRowsSql(s.target, s.staging, keep, meta));
    kept.push({ table: name, rows: r.affectedRows, whole: meta.primaryKey.length === 0 });
  }
  return { schema: keep, tables: kept };
}
