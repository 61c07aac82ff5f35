import { createConnector } from '../../src/db/mysql-driver.js';
import type { Pipeline } from '../../src/pipeline.js';
import { copySchema, ensureCrmTemplate } from './crm-template.js';
import { createTestDatabase, type TestDatabase, testPipeline } from './test-database.js';

/** A test schema with the CRM tables and seeded rows, plus its report schema name. */
export interface CrmFixture extends TestDatabase {
  reportSchema: string;
  /** A connector for the report schema (the schema may not exist yet: connect with database null). */
  report: ReturnType<typeof createConnector>;
  tables: string[];
  /** The source schema and its report schema on the test server. */
  pipeline: Pipeline;
}

/**
 * A fresh schema with the CRM migrated and seeded (seed 7) at `scale`: a copy of this run's
 * template for that scale (see crm-template.ts), which is what migrating and seeding would give.
 */
export async function createCrmFixture(prefix: string, scale = 0.01): Promise<CrmFixture> {
  const template = await ensureCrmTemplate(scale, 7);
  const db = await createTestDatabase(prefix);
  const conn = await db.connector.connect();
  await copySchema(conn, template, db.database);
  const rows = await conn.query<{ t: string }>(
    "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND ENGINE = 'InnoDB' ORDER BY 1",
    [db.database],
  );
  await conn.close();
  const reportSchema = `${db.database}_report`;
  return {
    ...db,
    reportSchema,
    report: createConnector({ ...db.target, database: reportSchema }),
    tables: rows.map((r) => r.t),
    pipeline: testPipeline(db, reportSchema),
  };
}
