/**
 * The report SQL tests' fixture: the CRM schema built with the migrations, the hand-written rows of
 * `report-source-rows.ts`, MyISAM copies of the tables the reports read (the mirrors) in a second
 * schema, and every bundled report built from them. The session runs in MySQL 8's default SQL mode
 * (ONLY_FULL_GROUP_BY, strict), so a report that would be refused there fails here too, even on MariaDB.
 */
import { migrate } from '../../schema/index.js';
import type { Row, SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { loadReportDefinitions, type ReportDefinition, renderReportStatements } from '../../sync/reports/report-definitions.js';
import { SOURCE_ROWS } from './report-source-rows.js';
import { createTestDatabase } from './test-database.js';

const STRICT_MODE =
  'ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,' +
  'ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';

export const EXPECTED_REPORTS = [
  'rpt_customer_360',
  'rpt_interaction_search',
  'rpt_pipeline_by_stage_owner',
  'rpt_revenue_by_month',
];

export interface ReportFixture {
  conn: SqlConnection;
  sourceSchema: string;
  reportSchema: string;
  reports: ReportDefinition[];
  /** Runs one report's statements into `reportSchema`.`<name>`, failing on any warning. */
  buildReport(def: ReportDefinition): Promise<void>;
  rowsOf<T extends Row = Row>(table: string, orderBy: string): Promise<T[]>;
  close(): Promise<void>;
}

/** Normalises driver values (BIGINT and DECIMAL come back as strings) for comparisons. */
export function plain(row: Row, columns: string[]): Record<string, string | null> {
  return Object.fromEntries(columns.map((c) => [c, row[c] === null ? null : String(row[c] as string | number | bigint)]));
}

export async function createReportFixture(prefix: string): Promise<ReportFixture> {
  const db = await createTestDatabase(prefix);
  const sourceSchema = `${db.database}_src`;
  const reportSchema = `${db.database}_rpt`;
  await migrate({ ...db.target, database: sourceSchema });
  const conn = await db.connector.connect();
  await conn.execute(`CREATE DATABASE ${quoteId(reportSchema)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await conn.execute(`SET SESSION sql_mode = '${STRICT_MODE}'`);
  for (const [table, columns, rows] of SOURCE_ROWS) {
    const marks = `(${columns.map(() => '?').join(', ')})`;
    await conn.execute(
      `INSERT INTO ${qualify(sourceSchema, table)} (${columns.map(quoteId).join(', ')}) VALUES ${rows.map(() => marks).join(', ')}`,
      rows.flat(),
    );
  }
  const reports = loadReportDefinitions();
  const fx: ReportFixture = {
    conn,
    sourceSchema,
    reportSchema,
    reports,
    async buildReport(def) {
      const statements = renderReportStatements(def, (name) =>
        name === 'target' ? qualify(reportSchema, def.name) : qualify(reportSchema, name),
      );
      for (const sql of statements) {
        const result = await conn.execute(sql);
        if (result.warningStatus > 0) {
          const warnings = await conn.query('SHOW WARNINGS');
          throw new Error(`${def.name}: warnings from\n${sql}\n${JSON.stringify(warnings)}`);
        }
      }
    },
    rowsOf: (table, orderBy) => conn.query(`SELECT * FROM ${qualify(reportSchema, table)} ORDER BY ${orderBy}`),
    async close() {
      await conn.close();
      await db.drop();
    },
  };
  for (const table of new Set(reports.flatMap((r) => r.dependsOn))) {
    const mirror = qualify(reportSchema, table);
    await conn.execute(`CREATE TABLE ${mirror} LIKE ${qualify(sourceSchema, table)}`);
    await conn.execute(`ALTER TABLE ${mirror} ENGINE=MyISAM`);
    await conn.execute(`INSERT INTO ${mirror} SELECT * FROM ${qualify(sourceSchema, table)}`);
  }
  for (const def of reports) await fx.buildReport(def);
  return fx;
}
