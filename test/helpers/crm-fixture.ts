import { migrate, seed } from '../../schema/index.js';
import { createConnector } from '../../src/db/mysql-driver.js';
import type { Pipeline } from '../../src/pipeline.js';
import { copySchema, ensureCrmTemplate } from './crm-template.js';
import { createTestDatabase, type TestDatabase, type TestServer, testPipeline } from './test-database.js';

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
 * A fresh schema with the CRM migrated and seeded (seed 7) at `scale`: on the shared server a copy
 * of this run's template for that scale (see crm-template.ts), which is what migrating and seeding
 * would give; on a server of the test's own (`on`), migrated and seeded there.
 */
export async function createCrmFixture(prefix: string, scale = 0.01, on?: TestServer): Promise<CrmFixture> {
  const db = await createTestDatabase(prefix, on);
  if (on) {
    await migrate(db.target);
    await seed(db.connector, { scale, seed: 7 });
  } else {
    const template = await ensureCrmTemplate(scale, 7);
    const conn = await db.connector.connect();
    await copySchema(conn, template, db.database);
    await conn.close();
  }
  const conn = await db.connector.connect();
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
