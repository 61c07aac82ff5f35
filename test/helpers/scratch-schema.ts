/**
 * One empty test schema for a file of schema-shape tests: each test drops what the last one made
 * (`reset()`), creates its own tables, syncs them and compares mirror and source exactly.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import type { SyncOptions } from '../../sync/full/run-sync.js';
import { exactTableDigest } from './exact-digest.js';
import { createTestDatabase, type TestDatabase, testPipeline } from './test-database.js';

/** The schema, its session and the sync options of the file; valid inside tests. */
export interface ScratchSchema {
  readonly db: TestDatabase;
  readonly conn: SqlConnection;
  readonly options: SyncOptions;
  /** A source table, qualified. */
  readonly q: (table: string) => string;
  /** A mirror table, qualified. */
  readonly m: (table: string) => string;
  /** Drops every table of the source schema. */
  reset(): Promise<void>;
  /** The mirror of `table` holds exactly the source's rows. */
  expectMirrorExact(table: string): Promise<void>;
}

/** Registers beforeAll/afterAll hooks that create and drop the schema. */
export function useScratchSchema(prefix: string): ScratchSchema {
  let db: TestDatabase | undefined;
  let conn: SqlConnection | undefined;
  let options: SyncOptions | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(prefix);
    conn = await db.connector.connect();
    options = { pipeline: testPipeline(db), reports: [], chunkRows: 50 };
  });
  afterAll(async () => {
    await conn?.close();
    await db?.drop();
  });
  const s: ScratchSchema = {
    get db() {
      return db!;
    },
    get conn() {
      return conn!;
    },
    get options() {
      return options!;
    },
    q: (t) => qualify(db!.database, t),
    m: (t) => qualify(options!.pipeline.reportSchema, t),
    async reset() {
      const rows = await conn!.query<{ t: string }>(
        "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE <> 'VIEW'",
        [db!.database],
      );
      await conn!.execute('SET SESSION foreign_key_checks = 0');
      for (const r of rows) await conn!.execute(`DROP TABLE ${s.q(r.t)}`);
      await conn!.execute('SET SESSION foreign_key_checks = 1');
    },
    async expectMirrorExact(table) {
      expect(await exactTableDigest(conn!, options!.pipeline.reportSchema, table), `mirror of ${table}`).toEqual(
        await exactTableDigest(conn!, db!.database, table),
      );
    },
  };
  return s;
}
