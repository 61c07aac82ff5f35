import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { parseMysqlUrl } from '../../src/config/parse-url.js';
import type { ConnectionTarget, SqlConnector } from '../../src/db/connection.js';
import { createConnector } from '../../src/db/mysql-driver.js';
import { quoteId } from '../../src/db/quote.js';
import { createPipeline, type Pipeline } from '../../src/pipeline.js';

export interface TestDatabase {
  connector: SqlConnector;
  target: ConnectionTarget & { database: string };
  database: string;
  /** The server URL with this database, e.g. for CLI tests (`--source`). */
  url: string;
  drop(): Promise<void>;
}

/** The test server's target without a schema. */
export function testServerTarget(): ConnectionTarget {
  const t = parseMysqlUrl(inject('testServerUrl'), 'test server URL');
  delete t.database;
  return t;
}

/** The test server's URL for a given schema. */
export function testServerUrl(database: string): string {
  return `${inject('testServerUrl').replace(/\/$/, '')}/${database}`;
}

/** A server test schemas are made on: its target without a schema, and its URL for a schema. */
export interface TestServer {
  target: ConnectionTarget;
  url(database: string): string;
}

/** The suite's shared test server. */
export function sharedTestServer(): TestServer {
  return { target: testServerTarget(), url: testServerUrl };
}

/**
 * Creates a fresh, empty schema for one test file (on the shared server unless `on` names another);
 * `drop()` removes it and anything named after it.
 */
export async function createTestDatabase(prefix: string, on: TestServer = sharedTestServer()): Promise<TestDatabase> {
  const database = `t_${prefix.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 30)}_${randomBytes(3).toString('hex')}`;
  const server = on.target;
  const admin = await createConnector(server).connect({ database: null });
  await admin.execute(
    `CREATE DATABASE ${quoteId(database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  );
  await admin.close();
  const target = { ...server, database };
  return {
    connector: createConnector(target),
    target,
    database,
    url: on.url(database),
    async drop() {
      const conn = await createConnector(server).connect({ database: null });
      const rows = await conn.query<{ s: string }>(
        'SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ? OR SCHEMA_NAME LIKE ?',
        [database, `${database}\\_%`],
      );
      for (const r of rows) await conn.execute(`DROP DATABASE IF EXISTS ${quoteId(r.s)}`);
      await conn.close();
    },
  };
}

/** The pipeline from a test schema to a report schema on the same test server. */
export function testPipeline(db: Pick<TestDatabase, 'target'>, reportSchema = `${db.target.database}_report`): Pipeline {
  return createPipeline({ source: db.target, report: { ...db.target, database: reportSchema }, sameServer: true });
}
