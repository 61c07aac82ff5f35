import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRM_TABLES, crmMigrations, migrate, migrationStatus } from '../../schema/index.js';
import type { SqlConnection } from '../../src/db/connection.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let db: TestDatabase;
let conn: SqlConnection;
const names = crmMigrations.map((m) => m.name);

beforeAll(async () => {
  db = await createTestDatabase('migrate');
  conn = await db.connector.connect();
});

afterAll(async () => {
  await conn?.close();
  await db?.drop();
});

/** Bytes a MyISAM key part takes for a column (utf8mb4 strings: 4 bytes a character). */
const KEY_BYTES: Record<string, number> = {
  bigint: 8,
  int: 4,
  smallint: 2,
  tinyint: 1,
  datetime: 8,
  date: 3,
  enum: 2,
};

describe('migrate', () => {
  it('applies every migration to an empty schema', async () => {
    const result = await migrate(db.target);
    expect(result).toEqual({ applied: names, alreadyApplied: [] });
  });

  it('creates every CRM table as InnoDB with utf8mb4_unicode_ci', async () => {
    const tables = await conn.query<{ t: string; engine: string; collation: string }>(
      `SELECT TABLE_NAME AS t, ENGINE AS engine, TABLE_COLLATION AS collation FROM information_schema.TABLES
        WHERE TABLE_SCHEMA = ? AND TABLE_NAME NOT LIKE 'dualpipe\\_migrations%'`,
      [db.database],
    );
    expect(tables.map((r) => r.t).sort()).toEqual([...CRM_TABLES].sort());
    for (const r of tables) {
      expect(r.engine, r.t).toBe('InnoDB');
      expect(r.collation, r.t).toBe('utf8mb4_unicode_ci');
    }
  });

  it('gives every table a server-maintained updated_at with an index', async () => {
    const cols = await conn.query<{ t: string; extra: string; def: string | null }>(
      `SELECT TABLE_NAME AS t, EXTRA AS extra, COLUMN_DEFAULT AS def FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = ? AND COLUMN_NAME = 'updated_at' AND TABLE_NAME NOT LIKE 'dualpipe\\_migrations%'`,
      [db.database],
    );
    expect(cols).toHaveLength(CRM_TABLES.length);
    for (const c of cols) {
      expect(c.extra, c.t).toMatch(/on update current_timestamp\(6\)/i);
      expect(c.def, c.t).toMatch(/current_timestamp\(6\)/i);
    }
    const indexed = await conn.query<{ t: string }>(
      `SELECT DISTINCT TABLE_NAME AS t FROM information_schema.STATISTICS
        WHERE TABLE_SCHEMA = ? AND COLUMN_NAME = 'updated_at' AND SEQ_IN_INDEX = 1`,
      [db.database],
    );
    expect(indexed.map((r) => r.t).sort()).toEqual([...CRM_TABLES].sort());
  });

  it('keeps every index under the 1000-byte MyISAM key limit', async () => {
    const parts = await conn.query<{ t: string; idx: string; type: string; octets: number | null }>(
      `SELECT s.TABLE_NAME AS t, s.INDEX_NAME AS idx, c.DATA_TYPE AS type, c.CHARACTER_OCTET_LENGTH AS octets
         FROM information_schema.STATISTICS s
         JOIN information_schema.COLUMNS c
           ON c.TABLE_SCHEMA = s.TABLE_SCHEMA AND c.TABLE_NAME = s.TABLE_NAME AND c.COLUMN_NAME = s.COLUMN_NAME
        WHERE s.TABLE_SCHEMA = ?`,
      [db.database],
    );
    const sizes = new Map<string, number>();
    for (const p of parts) {
      const bytes = p.octets !== null ? Number(p.octets) + 2 : (KEY_BYTES[p.type] ?? 16);
      const key = `${p.t}.${p.idx}`;
      sizes.set(key, (sizes.get(key) ?? 0) + bytes);
    }
    for (const [key, bytes] of sizes) expect(bytes, key).toBeLessThan(1000);
  });

  it('stores transaction_items.line_total as a generated column', async () => {
    const rows = await conn.query<{ extra: string }>(
      `SELECT EXTRA AS extra FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'transaction_items' AND COLUMN_NAME = 'line_total'`,
      [db.database],
    );
    expect(rows[0]?.extra).toMatch(/stored generated|persistent generated|stored/i);
  });

  it('is idempotent: a second run applies nothing', async () => {
    const result = await migrate(db.target);
    expect(result).toEqual({ applied: [], alreadyApplied: names });
  });

  it('reports every migration as applied, with a time', async () => {
    const status = await migrationStatus(db.target);
    expect(status.map((s) => s.name)).toEqual(names);
    for (const s of status) {
      expect(s.applied).toBe(true);
      expect(s.appliedAt).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
    }
  });

  it('creates a missing schema, and reports a missing one as all pending', async () => {
    const fresh = { ...db.target, database: `${db.database}_fresh` };
    const pending = await migrationStatus(fresh);
    expect(pending.every((s) => !s.applied && s.appliedAt === undefined)).toBe(true);
    expect((await migrate(fresh)).applied).toEqual(names);
    const rows = await conn.query<{ c: string }>(
      'SELECT DEFAULT_COLLATION_NAME AS c FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
      [fresh.database],
    );
    expect(rows[0]?.c).toBe('utf8mb4_unicode_ci');
  });
});
