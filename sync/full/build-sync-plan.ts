/** The plan of a full sync, read from the live source: used by dry runs and real runs alike. */
import type { SqlConnection } from '../../src/db/connection.js';
import { UnsupportedTableError } from '../../src/errors.js';
import { listReportTables } from '../../src/catalog/cleanup-leftovers.js';
import { discoverTables } from '../../src/catalog/discover-tables.js';
import { showCreateTable } from '../../src/catalog/source-state.js';
import { reportsOfRun } from '../reports/report-set.js';
import { planSync, type SyncPlan, type SyncStrategy } from './plan-sync.js';
import type { SyncRunOptions } from './sync-run-options.js';
import { findUnsupportedTables } from './unsupported-tables.js';

/** Builds the plan from the live source; used by both dry runs and real runs. */
export async function buildPlan(conn: SqlConnection, admin: SqlConnection, o: SyncRunOptions & { strategy?: SyncStrategy }): Promise<SyncPlan> {
  const select = { ...(o.include ? { include: o.include } : {}), ...(o.exclude ? { exclude: o.exclude } : {}) };
  const metas = (await discoverTables(conn, o.pipeline.sourceSchema, select)).filter((t) => !t.name.startsWith('__dp_'));
  // Refused by name before anything is written: a run never copies some tables and skips others.
  const unsupported = await findUnsupportedTables(conn, o.pipeline.sourceSchema, select);
  if (unsupported.length) throw new UnsupportedTableError(unsupported);
  const tables = [];
  for (const meta of metas)
    tables.push({ meta, showCreate: await showCreateTable(conn, o.pipeline.sourceSchema, meta.name) });
  return planSync({
    sourceSchema: o.pipeline.sourceSchema,
    reportSchema: o.pipeline.reportSchema,
    strategy: o.strategy ?? 'swap',
    sameServer: o.pipeline.sameServer,
    tables,
    reports: await reportsOfRun(conn, o.pipeline.sourceSchema, o),
    existingReportTables: await listReportTables(admin, o.pipeline.reportSchema),
  });
}
