/**
 * `dualpipe check [--repair]`: MyISAM files can be damaged by a crash or a full disk (the design's
 * known weakness of ISAM). CHECK TABLE finds corrupt or crashed tables; with repair, REPAIR TABLE
 * is tried first, and every mirror is then compared with the InnoDB source: if a repair failed or
 * lost rows, the mirror is rebuilt from InnoDB by a sync of that table (which also rebuilds the
 * reports that read it), and verified again.
 *
 * Every mirror, not only those CHECK TABLE called corrupt: with `myisam-recover-options=FORCE`
 * (the embedded server's setting, and a common one) the server itself repairs a crashed table
 * when a session next opens it, dropping the rows it cannot read, and CHECK TABLE then says OK.
 * Only a comparison with the source shows the loss.
 */
import type { SqlConnection } from '../src/db/connection.js';
import { qualify } from '../src/db/quote.js';
import { type Logger, silentLogger } from '../src/log/logger.js';
import { listReportTables } from '../src/catalog/cleanup-leftovers.js';
import { discoverTables } from '../src/catalog/discover-tables.js';
import type { ReportDefinition } from '../sync/reports/report-definitions.js';
import { loadReportSet } from '../sync/reports/report-set.js';
import { HISTORY_TABLE } from '../src/history/run-history.js';
import { recordRun } from '../src/history/record-run.js';
import { runSync, type SyncOptions } from '../sync/full/run-sync.js';
import { TEMP_NAME_PATTERN } from '../src/catalog/temp-names.js';
import { driftedTables, verifyMirrors } from '../sync/verify/verify.js';
import type { Pipeline } from '../src/pipeline.js';

/** What CHECK TABLE said of a table. */
export type TableHealth = 'ok' | 'corrupt';
/** What a repair did. */
export type RepairOutcome = 'not-needed' | 'repaired' | 'rebuilt' | 'failed';

/** The check (and repair) of one MyISAM table. */
export interface TableCheckResult {
  table: string;
  kind: 'mirror' | 'report';
  health: TableHealth;
  messages: string[];
  repair?: RepairOutcome;
  /** After repair: the mirror equals the source (null for reports, which have no source). */
  verified?: boolean | null;
}

/** Options of `checkTables`. */
export interface CheckOptions {
  /** The source and report sides (see src/pipeline.ts). */
  pipeline: Pipeline;
  repair?: boolean;
  reports?: readonly ReportDefinition[];
  logger?: Logger;
  /** Extra options for the rebuilding sync (threads, chunkRows, …). */
  sync?: Partial<SyncOptions>;
}

type AdminRow = {
  Table: string;
  Op: string;
  Msg_type: string;
  Msg_text: string;
};

/** Reads CHECK/REPAIR TABLE output: healthy when the last status row says OK and no error row exists. */
export function interpretAdminRows(rows: readonly AdminRow[]): { ok: boolean; messages: string[] } {
  const messages = rows.map((r) => `${r.Msg_type}: ${r.Msg_text}`);
  const bad = rows.some((r) => /error|warning/i.test(r.Msg_type) && !/is not supported/i.test(r.Msg_text));
  const status = [...rows].reverse().find((r) => r.Msg_type.toLowerCase() === 'status');
  const ok = !bad && (status ? /^(OK|Table is already up to date)$/i.test(status.Msg_text) : false);
  return { ok, messages };
}

async function adminCommand(conn: SqlConnection, op: 'CHECK' | 'REPAIR', schema: string, table: string): Promise<{ ok: boolean; messages: string[] }> {
  const extra = op === 'CHECK' ? ' EXTENDED' : '';
  const rows = await conn.query<AdminRow>(`${op} TABLE ${qualify(schema, table)}${extra}`);
  return interpretAdminRows(rows);
}

/**
 * CHECK TABLE every mirror and report; with `repair`, repairs or rebuilds what is corrupt, then
 * verifies it. Recorded in the run history (kind `check`): failed while a table stays corrupt or differs.
 */
export async function checkTables(o: CheckOptions): Promise<TableCheckResult[]> {
  return recordRun(o.pipeline, { kind: 'check', ...(o.repair ? { strategy: 'repair' } : {}) }, () => checkUnrecorded(o), (results) => {
    const bad = results.filter((r) => r.health !== 'ok' || r.verified === false).map((r) => r.table);
    return { status: bad.length ? 'failed' : 'succeeded', details: { tables: results }, ...(bad.length ? { error: `corrupt: ${bad.join(', ')}` } : {}) };
  });
}

async function checkUnrecorded(o: CheckOptions): Promise<TableCheckResult[]> {
  const log = o.logger ?? silentLogger;
  const conn = await o.pipeline.report.connect({ database: null });
  const results: TableCheckResult[] = [];
  try {
    const tables = (await listReportTables(conn, o.pipeline.reportSchema)).filter((t) => !TEMP_NAME_PATTERN.test(t) && t !== HISTORY_TABLE && !t.startsWith('__dp_'));
    const engines = await conn.query<{ t: string; e: string | null }>(
      'SELECT TABLE_NAME AS t, ENGINE AS e FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
      [o.pipeline.reportSchema],
    );
    const myisam = new Set(engines.filter((r) => (r.e ?? '').toLowerCase() === 'myisam').map((r) => r.t));
    for (const table of tables.filter((t) => myisam.has(t)).sort()) {
      const r = await adminCommand(conn, 'CHECK', o.pipeline.reportSchema, table);
      results.push({ table, kind: table.startsWith('rpt_') ? 'report' : 'mirror', health: r.ok ? 'ok' : 'corrupt', messages: r.messages });
      if (!r.ok) log.warn({ table, messages: r.messages }, `${table} is corrupt`);
    }
    if (!o.repair) return results;

    const sourceTables = new Set((await discoverTables(conn, o.pipeline.sourceSchema)).map((t) => t.name).filter((t) => !t.startsWith('__dp_')));
    const toRebuild = new Set<string>();
    const healthyMirrors = results.filter((r) => r.health === 'ok' && r.kind === 'mirror' && sourceTables.has(r.table));
    const drifted = new Set(healthyMirrors.length ? await driftedAmong(o, healthyMirrors.map((r) => r.table)) : []);
    for (const r of results) {
      if (r.health === 'ok') {
        r.repair = 'not-needed';
        if (healthyMirrors.includes(r)) {
          r.verified = !drifted.has(r.table);
          if (drifted.has(r.table)) {
            log.warn({ table: r.table }, `${r.table} passes CHECK TABLE but differs from the source (rows lost to an automatic repair?)`);
            toRebuild.add(r.table);
          }
        }
        continue;
      }
      const repaired = await adminCommand(conn, 'REPAIR', o.pipeline.reportSchema, r.table);
      r.messages.push(...repaired.messages.map((m) => `repair ${m}`));
      r.repair = repaired.ok ? 'repaired' : 'failed';
      if (repaired.ok) r.health = (await adminCommand(conn, 'CHECK', o.pipeline.reportSchema, r.table)).ok ? 'ok' : 'corrupt';
      // A repair can "succeed" by dropping the rows it could not read: compare with the source.
      if (r.kind === 'mirror' && sourceTables.has(r.table)) {
        const v = repaired.ok ? await verifyOne(o, r.table) : false;
        if (!v) toRebuild.add(r.table);
        r.verified = v;
      } else if (r.kind === 'report' && !repaired.ok) {
        toRebuild.add(r.table);
      } else r.verified = null;
    }
    if (toRebuild.size > 0) {
      // Which mirrors a damaged report reads: the user's folders and the bundled reports alike.
      const defs = o.reports ?? loadReportSet({ ...o.sync?.reportSet, builtin: o.sync?.reportSet?.builtin ?? true });
      // A report is rebuilt by syncing the mirrors it reads; a mirror by syncing its table.
      const include = new Set<string>();
      for (const t of toRebuild) {
        const def = defs.find((d) => d.name === t);
        for (const dep of def ? def.dependsOn : [t]) include.add(dep);
      }
      log.warn({ tables: [...include] }, 'rebuilding from InnoDB');
      await runSync({
        ...o.sync,
        pipeline: o.pipeline,
        include: [...include],
        ...(o.reports ? { reports: o.reports } : {}),
        waitForLockSeconds: 60,
      });
      for (const r of results.filter((x) => toRebuild.has(x.table))) {
        r.repair = 'rebuilt';
        const check = await adminCommand(conn, 'CHECK', o.pipeline.reportSchema, r.table);
        r.health = check.ok ? 'ok' : 'corrupt';
        r.verified = r.kind === 'mirror' ? await verifyOne(o, r.table) : null;
      }
    }
    return results;
  } finally {
    await conn.close();
  }
}

async function verifyOne(o: CheckOptions, table: string): Promise<boolean> {
  return (await driftedAmong(o, [table])).length === 0;
}

/** The mirrors among `tables` that differ from the source. */
async function driftedAmong(o: CheckOptions, tables: readonly string[]): Promise<string[]> {
  const v = await verifyMirrors({ pipeline: o.pipeline, include: tables, waitForLockSeconds: 60 });
  return driftedTables(v);
}
