/**
 * Incremental report refresh on the shadow set. A report with an `@refresh` section
 * (report-definitions.ts) collects the keys of its rows that the changed mirror rows touch, in
 * their old and new versions, into a key table, then deletes and recomputes just those rows. A
 * report without one, or one that reads a mirror that was replaced whole, is rebuilt whole from
 * the shadow mirrors. Either way only shadow tables are written.
 */
import type { SqlConnection, SqlConnector } from '../../src/db/connection.js';
import type { Logger } from '../../src/log/logger.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { changedKeysTable } from './apply-to-shadow.js';
import { columnDefs } from '../../src/catalog/column-defs.js';
import { keyJoinSql } from '../capture/key-sql.js';
import { type ReportDefinition, renderReportStatements, renderSql } from '../reports/report-definitions.js';
import { shadowName } from '../shadow/shadow-set.js';
import type { TableMeta } from '../../src/catalog/table-meta.js';
import { prepareSession } from '../../src/db/sessions.js';
import { countRows } from '../full/sync-table.js';
import { tempName } from '../../src/catalog/temp-names.js';

/**
 * The key table of a report in one run (a temporary name: a leftover is dropped like the others).
 */
export const reportKeysTable = (report: string) => tempName('new', `key_${report}`);

function names(schema: string, report: string, extra: Record<string, string> = {}) {
  return (p: string): string => {
    if (p === 'target') return qualify(schema, shadowName(report));
    if (p === 'keys') return qualify(schema, reportKeysTable(report));
    if (extra[p]) return qualify(schema, extra[p]);
    return qualify(schema, shadowName(p));
  };
}

/**
 * Creates the report's key table, empty, with the column types and collation of the report's key:
 * keys the server thinks equal collapse, as they would in the report.
 */
export async function createReportKeys(conn: SqlConnection, schema: string, def: ReportDefinition): Promise<void> {
  const key = def.incremental!.key.map(quoteId).join(', ');
  const table = qualify(schema, reportKeysTable(def.name));
  await conn.execute(`DROP TABLE IF EXISTS ${table}`);
  const defs = await columnDefs(conn, schema, shadowName(def.name), def.incremental!.key);
  await conn.execute(`CREATE TABLE ${table} (${defs.join(', ')}, PRIMARY KEY (${key})) ENGINE=MyISAM`);
}

/** Adds the report keys of the changed rows of `meta`, as the shadow mirror holds them now. */
export async function collectRowKeys(conn: SqlConnection, schema: string, def: ReportDefinition, meta: TableMeta): Promise<void> {
  const inc = def.incremental!;
  for (const c of inc.rowChanges.filter((r) => r.table === meta.name)) {
    const alias = quoteId(c.alias);
    await conn.execute(
      `INSERT IGNORE INTO ${qualify(schema, reportKeysTable(def.name))} (${inc.key.map(quoteId).join(', ')})
       SELECT ${c.exprs} FROM ${qualify(schema, shadowName(meta.name))} AS ${alias}
         JOIN ${qualify(schema, changedKeysTable(meta.name))} AS __dp_x ON ${keyJoinSql(meta, alias, '__dp_x')}`,
    );
  }
}

/** Adds the report keys found through the `@changes … SELECT` lines of the changed mirrors. */
export async function collectQueryKeys(conn: SqlConnection, schema: string, def: ReportDefinition, changed: ReadonlySet<string>): Promise<void> {
  const inc = def.incremental!;
  for (const q of inc.queryChanges.filter((x) => changed.has(x.table))) {
    const sql = renderSql(q.sql, names(schema, def.name, { changed: changedKeysTable(q.table) }));
    await conn.execute(`INSERT IGNORE INTO ${qualify(schema, reportKeysTable(def.name))} (${inc.key.map(quoteId).join(', ')}) ${sql}`);
  }
}

/** How many report keys were collected. */
export async function countReportKeys(conn: SqlConnection, schema: string, def: ReportDefinition): Promise<number> {
  const n = await conn.query<{ n: string | number }>(`SELECT COUNT(*) AS n FROM ${qualify(schema, reportKeysTable(def.name))}`);
  return Number(n[0]?.n ?? 0);
}

/** The stage table of a report's refresh (a temporary name). */
export const stageTable = (report: string) => tempName('new', `stage_${report}`);

/**
 * Recomputes the rows of the collected keys. The `@refresh` INSERTs write into a stage table
 * without indexes; only rows that differ from the report's (or are new, or gone) are then
 * deleted and inserted. Many changes (a moved `updated_at`) leave report rows as they were, and
 * every row written to a FULLTEXT-indexed MyISAM table costs index work.
 */
export async function refreshKeys(conn: SqlConnection, schema: string, def: ReportDefinition): Promise<{ deleted: number; inserted: number }> {
  const inc = def.incremental!;
  const target = qualify(schema, shadowName(def.name));
  const stage = qualify(schema, stageTable(def.name));
  const keys = qualify(schema, reportKeysTable(def.name));
  await conn.execute(`DROP TABLE IF EXISTS ${stage}`);
  const defs = await columnDefs(conn, schema, shadowName(def.name));
  await conn.execute(`CREATE TABLE ${stage} (${defs.join(', ')}, PRIMARY KEY (${inc.key.map(quoteId).join(', ')})) ENGINE=MyISAM`);
  const toStage = names(schema, def.name, { target: stageTable(def.name) });
  for (const s of inc.refresh) {
    // The DELETEs of a refresh clear the target's rows of the keys; the diff below does that here.
    if (/^DELETE\b/i.test(s)) continue;
    await conn.execute(renderSql(s, (p) => (p === 'target' ? qualify(schema, stageTable(def.name)) : toStage(p))));
  }
  const cols = (
    await conn.query<{ c: string }>(
      'SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
      [schema, shadowName(def.name)],
    )
  ).map((r) => quoteId(r.c));
  const onKey = (a: string, b: string) => inc.key.map((k) => `${a}.${quoteId(k)} = ${b}.${quoteId(k)}`).join(' AND ');
  // Compared as bytes: the reports' collation calls 'jose' and 'José' equal, and a rename must show.
  const same = cols.map((c) => `CAST(s.${c} AS BINARY) <=> CAST(r.${c} AS BINARY)`).join(' AND ');
  // Gone or changed: rows of the keys with no identical staged row.
  const del = await conn.execute(
    `DELETE r FROM ${target} AS r JOIN ${keys} AS k ON ${onKey('r', 'k')}
      LEFT JOIN ${stage} AS s ON ${onKey('s', 'r')} AND ${same}
      WHERE s.${quoteId(inc.key[0]!)} IS NULL`,
  );
  // New or changed: staged rows the target no longer (or never) had.
  const ins = await conn.execute(
    `INSERT INTO ${target} (${cols.join(', ')}) SELECT ${cols.map((c) => `s.${c}`).join(', ')} FROM ${stage} AS s
      LEFT JOIN ${target} AS r ON ${onKey('r', 's')} WHERE r.${quoteId(inc.key[0]!)} IS NULL`,
  );
  await conn.execute(`DROP TABLE IF EXISTS ${stage}`);
  return { deleted: del.affectedRows, inserted: ins.affectedRows };
}

/** Rebuilds a shadow report whole from the shadow mirrors, then puts it in the shadow's place. */
export async function rebuildReport(conn: SqlConnection, schema: string, def: ReportDefinition): Promise<void> {
  const temp = tempName('new', def.name);
  await conn.execute(`DROP TABLE IF EXISTS ${qualify(schema, temp)}`);
  for (const s of renderReportStatements(def, (p) => (p === 'target' ? qualify(schema, temp) : qualify(schema, shadowName(p))))) {
    await conn.execute(s);
  }
  await conn.execute(`DROP TABLE IF EXISTS ${qualify(schema, shadowName(def.name))}`);
  await conn.execute(`RENAME TABLE ${qualify(schema, temp)} TO ${qualify(schema, shadowName(def.name))}`);
}

/**
 * Brings one shadow report to the shadow mirrors on a session of its own: key by key, or whole
 * when asked to or when more than `rebuildShare` of its rows would change (recomputing most of a
 * report key by key costs more than building it again).
 */
export async function refreshShadowReport(
  report: SqlConnector,
  schema: string,
  def: ReportDefinition,
  o: { whole: boolean; changedTables: ReadonlySet<string>; rebuildShare: number; log: Logger },
): Promise<{ rows: number; keys: number; rebuilt: boolean; seconds: number }> {
  const conn = await report.connect({ database: schema });
  try {
    await prepareSession(conn);
    const t0 = Date.now();
    let whole = o.whole;
    let keys = 0;
    if (!whole) {
      await collectQueryKeys(conn, schema, def, o.changedTables);
      keys = await countReportKeys(conn, schema, def);
      if (keys > (await countRows(conn, schema, shadowName(def.name))) * o.rebuildShare) whole = true;
    }
    if (whole) await rebuildReport(conn, schema, def);
    else if (keys) o.log.debug({ report: def.name, ...(await refreshKeys(conn, schema, def)) }, `incremental: ${def.name} rows rewritten`);
    o.log.debug({ report: def.name, keys, whole, ms: Date.now() - t0 }, `incremental: ${def.name} refreshed`);
    return { rows: await countRows(conn, schema, shadowName(def.name)), keys: whole ? 0 : keys, rebuilt: whole, seconds: (Date.now() - t0) / 1000 };
  } finally {
    await conn.close();
  }
}
