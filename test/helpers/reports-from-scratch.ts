/**
 * The bundled reports built from scratch as an oracle: each report's SQL run whole into `schema`,
 * reading the source tables of `source` (a full sync runs the same SQL over fresh mirrors, which
 * equal the source), in a session set up as the sync's are. No incremental code is involved.
 */
import type { SqlConnector } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { prepareSession } from '../../src/db/sessions.js';
import { loadReportDefinitions, renderReportStatements } from '../../sync/reports/report-definitions.js';

/** Builds every bundled report into `schema` (created when missing) from the tables of `source`. */
export async function reportsFromScratch(connector: SqlConnector, source: string, schema: string): Promise<void> {
  const s = await connector.connect();
  try {
    await prepareSession(s);
    await s.execute(`CREATE DATABASE IF NOT EXISTS ${quoteId(schema)}`);
    for (const def of loadReportDefinitions()) {
      await s.execute(`DROP TABLE IF EXISTS ${qualify(schema, def.name)}`);
      for (const sql of renderReportStatements(def, (p) => (p === 'target' ? qualify(schema, def.name) : qualify(source, p)))) await s.execute(sql);
    }
  } finally {
    await s.close();
  }
}
