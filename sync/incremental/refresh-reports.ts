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
import { readColumns } from '../../src/catalog/discover-tables.js';
import { keyJoinSql } from '../capture/key-sql.js';
import { type ReportDefinition, renderReportStatements, renderSql } from '../reports/report-definitions.js';
import { shadowName } from '../shadow/shadow-set.js';
import { type ColumnMeta, type TableMeta, writableColumns } from '../../src/catalog/table-meta.js';
import { prepareSession } from '../../src/db/sessions.js';
import { countRows } from '../full/sync-table.js';
import { tempName } from '../../src/catalog/temp-names.js';
import { copyReportRows, countOwnOfKeys, ownReportKeysTable } from './copy-from-live.js';
import { mergesInPlace } from './merge-rows.js';
import { rewriteReportRows } from './rewrite-report-rows.js';

/**
 * The key table of a report in one run (a temporary name: a leftover is dropped like the others).
 */
export const reportKeysTable = (report: string) => tempName('new', `key_${report}`);

function names(schema: string, report: string, extra: Record<string, string> = {}, target = qualify(schema, shadowName(report))) {
  return (p: string): string => {
    if (p === 'target') return target;
    if (p === 'keys') return qualify(schema, reportKeysTable(report));
    if (extra[p]) return qualify(schema, extra[p]);
    return qualify(schema, shadowName(p));
  };
}

/**
 * Creates the report's key table (or `table`), empty, with the column types and collation of the
 * report's key: keys the server thinks equal collapse, as they would in the report.
 */
export async function createReportKeys(conn: SqlConnection, schema: string, def: ReportDefinition, table = reportKeysTable(def.name)): Promise<void> {
  const key = def.incremental!.key.map(quoteId).join(', ');
  const q = qualify(schema, table);
  await conn.execute(`DROP TABLE IF EXISTS ${q}`);
  const defs = await columnDefs(conn, schema, shadowName(def.name), def.incremental!.key, def.incremental!.key);
  await conn.execute(`CREATE TABLE ${q} (${defs.join(', ')}, PRIMARY KEY (${key})) ENGINE=MyISAM`);
}

/** Where report keys are collected from: which mirror copy, which key table, into which report key table. */
export interface KeySource {
  /** The mirror table read (qualified); default: the shadow mirror. */
  from?: string;
  /** The mirror's key table (in `schema`); default: changedKeysTable. */
  keys?: string;
  /** The report key table written (in `schema`); default: reportKeysTable. */
  into?: string;
}

/** Adds the report keys of the changed rows of `meta`, as the shadow mirror (or `k.from`) holds them now. */
export async function collectRowKeys(conn: SqlConnection, schema: string, def: ReportDefinition, meta: TableMeta, k: KeySource = {}): Promise<void> {
  const inc = def.incremental!;
  for (const c of inc.rowChanges.filter((r) => r.table === meta.name)) {
    const alias = quoteId(c.alias);
    await conn.execute(
      `INSERT IGNORE INTO ${qualify(schema, k.into ?? reportKeysTable(def.name))} (${inc.key.map(quoteId).join(', ')})
       SELECT ${c.exprs} FROM ${k.from ?? qualify(schema, shadowName(meta.name))} AS ${alias}
         JOIN ${qualify(schema, k.keys ?? changedKeysTable(meta.name))} AS __dp_x ON ${keyJoinSql(meta, alias, '__dp_x')}`,
    );
  }
}

/**
 * Adds the report keys found through the `@changes … SELECT` lines of the changed mirrors, into the
 * report's key table. Options: each mirror's key table (`keysOf`), the key table written (`into`),
 * and the report that `{{target}}` reads (qualified; default the shadow report).
 */
export async function collectQueryKeys(
  conn: SqlConnection,
  schema: string,
  def: ReportDefinition,
  changed: ReadonlySet<string>,
  o: { keysOf?: (table: string) => string; into?: string; target?: string } = {},
): Promise<void> {
  const inc = def.incremental!;
  for (const q of inc.queryChanges.filter((x) => changed.has(x.table))) {
    const sql = renderSql(q.sql, names(schema, def.name, { changed: (o.keysOf ?? changedKeysTable)(q.table) }, o.target));
    await conn.execute(`INSERT IGNORE INTO ${qualify(schema, o.into ?? reportKeysTable(def.name))} (${inc.key.map(quoteId).join(', ')}) ${sql}`);
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
 * The columns of a shadow report, in order. The report's author may have the server generate
 * some (VIRTUAL or STORED): MySQL refuses a value for one in an INSERT or UPDATE, and MariaDB
 * ignores it with a warning outside strict mode, so a refresh stages, compares and writes only
 * the others (writableColumns). A stored or indexed generated column's expression must be
 * deterministic, and a virtual one is computed when read: rows equal in the written columns are
 * equal in the generated ones.
 */
export async function reportColumns(conn: SqlConnection, schema: string, report: string): Promise<ColumnMeta[]> {
  return (await readColumns(conn, schema, shadowName(report))).get(shadowName(report)) ?? [];
}

/**
 * Recomputes the rows of the collected keys. The `@refresh` INSERTs write into a stage table
 * without indexes; only rows that differ from the report's (or are new, or gone) are then
 * written (rewrite-report-rows.ts).
 */
export async function refreshKeys(
  conn: SqlConnection,
  schema: string,
  def: ReportDefinition,
  o: { inPlace: boolean; written: readonly string[] },
): Promise<{ deleted: number; updated: number; inserted: number }> {
  const inc = def.incremental!;
  const target = qualify(schema, shadowName(def.name));
  const stage = qualify(schema, stageTable(def.name));
  const keys = qualify(schema, reportKeysTable(def.name));
  await conn.execute(`DROP TABLE IF EXISTS ${stage}`);
  const defs = await columnDefs(conn, schema, shadowName(def.name), o.written, inc.key);
  await conn.execute(`CREATE TABLE ${stage} (${defs.join(', ')}, PRIMARY KEY (${inc.key.map(quoteId).join(', ')})) ENGINE=MyISAM`);
  const toStage = names(schema, def.name, { target: stageTable(def.name) });
  for (const s of inc.refresh) {
    // The DELETEs of a refresh clear the target's rows of the keys; the diff below does that here.
    if (/^DELETE\b/i.test(s)) continue;
    await conn.execute(renderSql(s, (p) => (p === 'target' ? qualify(schema, stageTable(def.name)) : toStage(p))));
  }
  const r = await rewriteReportRows(conn, {
    target,
    from: stage,
    keys,
    fromKeyed: true,
    key: inc.key,
    cols: o.written.map(quoteId),
    inPlace: o.inPlace,
  });
  await conn.execute(`DROP TABLE IF EXISTS ${stage}`);
  return r;
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
  o: {
    whole: boolean;
    changedTables: ReadonlySet<string>;
    /** Per changed mirror, the table of its keys reports collect from (default: its key table). */
    keysOf?: ReadonlyMap<string, string>;
    rebuildShare: number;
    log: Logger;
    /**
     * The run copies from the live set (copy-from-live.ts): the live tables' schema, and the
     * mirrors this run's own changes touched, each with the table of its own keys.
     */
    fromLive?: { live: string; own: ReadonlyMap<string, string> };
  },
): Promise<{ rows: number; keys: number; copied: number; rebuilt: boolean; seconds: number }> {
  const conn = await report.connect({ database: schema });
  try {
    await prepareSession(conn);
    const t0 = Date.now();
    let whole = o.whole;
    let keys = 0;
    let copied = 0;
    const inPlace = !whole && (await mergesInPlace(conn, schema, shadowName(def.name), def.incremental!.key));
    // Generated columns are the server's: rows are staged, compared and written without them.
    const written = whole ? [] : writableColumns({ columns: await reportColumns(conn, schema, def.name) }).map((c) => c.name);
    if (!whole) {
      const most = (await countRows(conn, schema, shadowName(def.name))) * o.rebuildShare;
      await collectQueryKeys(conn, schema, def, o.changedTables, { keysOf: (t) => o.keysOf?.get(t) ?? changedKeysTable(t) });
      if (o.fromLive) {
        const { live, own } = o.fromLive;
        const copy = { work: schema, live, report: def.name, key: def.incremental!.key, keys: reportKeysTable(def.name), own: ownReportKeysTable(def.name) };
        // What own changes touch, as the live report holds it (S_n): `{{target}}` reads the live report.
        await collectQueryKeys(conn, schema, def, new Set(own.keys()), { keysOf: (t) => own.get(t)!, into: copy.own, target: qualify(live, def.name) });
        // Copied only when the rest is not to be rebuilt anyway.
        if ((await countOwnOfKeys(conn, copy)) > most) whole = true;
        else copied = await copyReportRows(conn, { ...copy, cols: written.map(quoteId), inPlace });
      }
      keys = whole ? 0 : await countReportKeys(conn, schema, def);
      if (keys > most) whole = true;
      else if (keys && !def.incremental!.key.every((k) => written.some((c) => c.toLowerCase() === k.toLowerCase()))) {
        // The stage is keyed by the @key, and the @refresh statements cannot fill a generated column.
        o.log.warn({ report: def.name }, `incremental: ${def.name} is rebuilt whole: its @key names a generated column`);
        whole = true;
      }
    }
    if (whole) await rebuildReport(conn, schema, def);
    else if (keys) o.log.debug({ report: def.name, ...(await refreshKeys(conn, schema, def, { inPlace, written })) }, `incremental: ${def.name} rows rewritten`);
    o.log.debug({ report: def.name, keys, copied, whole, ms: Date.now() - t0 }, `incremental: ${def.name} refreshed`);
    return { rows: await countRows(conn, schema, shadowName(def.name)), keys: whole ? 0 : keys + copied, copied, rebuilt: whole, seconds: (Date.now() - t0) / 1000 };
  } finally {
    await conn.close();
  }
}
