/**
 * Reports built from scratch as an oracle (the bundled ones, or `defs`): each report's SQL run
 * whole into `schema`, reading the source tables of `source` (a full sync runs the same SQL over
 * fresh mirrors, which equal the source), in a session set up as the sync's are. No incremental
 * code is involved.
 */
import type { SqlConnector } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { prepareSession } from '../../src/db/sessions.js';
import { loadReportDefinitions, type ReportDefinition, renderReportStatements } from '../../sync/reports/report-definitions.js';

/** Builds every report of `defs` into `schema` (created when missing) from the tables of `source`. */
export async function reportsFromScratch(connector: SqlConnector, source: string, schema: string, defs: readonly ReportDefinition[] = loadReportDefinitions()): Promise<void> {
  const s = await connector.connect();
  try {
    await prepareSession(s);
    await s.execute(`CREATE DATABASE IF NOT EXISTS ${quoteId(schema)}`);
    for (const def of defs) {
      await s.execute(`DROP TABLE IF EXISTS ${qualify(schema, def.name)}`);
      for (const sql of renderReportStatements(def, (p) => (p === 'target' ? qualify(schema, def.name) : qualify(source, p)))) await s.execute(sql);
    }
  } finally {
    await s.close();
  }
}
