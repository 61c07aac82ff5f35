import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, SEED_TABLES, seed } from '../../../schema/index.js';
import type { SqlConnector } from '../../../src/db/connection.js';
import { qualify, quoteId } from '../../../src/db/quote.js';
import { UsageError } from '../../../src/errors.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

const SCALE = 0.003;
let a: TestDatabase;
let b: TestDatabase;
let c: TestDatabase;
let bare: TestDatabase;

/**
 * SHA-256 of the seeded columns of every table, in key order. created_at/updated_at columns the
 * server fills at load time are left out: they are the only values that differ between runs.
 */
async function seededDigest(connector: SqlConnector): Promise<Record<string, string>> {
  const conn = await connector.connect();
  const schema = connector.target.database!;
  const out: Record<string, string> = {};
  try {
    for (const t of SEED_TABLES) {
      const cols = t.columns.map(quoteId).join(', ');
      const order = t.table === 'contact_tags' ? '`contact_id`, `tag`' : '`id`';
      const hash = createHash('sha256');
      let rows = 0;
      for await (const row of conn.stream(
        `SELECT ${cols} FROM ${qualify(schema, t.table)} ORDER BY ${order}`,
      )) {
        hash.update(`${JSON.stringify(row)}\n`);
        rows++;
      }
      out[t.table] = `${rows}:${hash.digest('hex')}`;
    }
  } finally {
    await conn.close();
  }
  return out;
}

async function countRows(connector: SqlConnector, table: string): Promise<number> {
  const conn = await connector.connect();
  try {
    const rows = await conn.query<{ n: string | number }>(`SELECT COUNT(*) AS n FROM ${quoteId(table)}`);
    return Number(rows[0]?.n);
  } finally {
    await conn.close();
  }
}

beforeAll(async () => {
  [a, b, c, bare] = await Promise.all([
    createTestDatabase('seed_a'),
    createTestDatabase('seed_b'),
    createTestDatabase('seed_c'),
    createTestDatabase('seed_bare'),
  ]);
  await Promise.all([a, b, c].map((db) => migrate(db.target)));
});

afterAll(async () => {
  await Promise.all([a, b, c, bare].map((db) => db?.drop()));
});

describe('seed', () => {
  it('loads every table and reports the rows it loaded', async () => {
    const progress: { table: string; rows: number; totalRows: number }[] = [];
    const result = await seed(a.connector, {
      scale: SCALE,
      seed: 42,
      threads: 1,
      onProgress: (p) => progress.push(p),
    });
    expect(result.tables.map((t) => t.table)).toEqual(SEED_TABLES.map((t) => t.table));
    for (const t of result.tables) {
      expect(t.rows, t.table).toBeGreaterThan(0);
      expect(await countRows(a.connector, t.table), t.table).toBe(t.rows);
    }
    expect(result.rows).toBe(result.tables.reduce((sum, t) => sum + t.rows, 0));
    expect(result.rowsPerSecond).toBeGreaterThan(0);
    const last = new Map(progress.map((p) => [p.table, p]));
    for (const t of result.tables)
      expect(last.get(t.table)).toEqual({ table: t.table, rows: t.rows, totalRows: t.rows });
  });

  it('is deterministic: the same seed gives the same rows, whatever the threads and chunk size', async () => {
    await seed(b.connector, { scale: SCALE, seed: 42, threads: 3, chunkRows: 700 });
    expect(await seededDigest(b.connector)).toEqual(await seededDigest(a.connector));
  });

  it('a different seed gives different data', async () => {
    await seed(c.connector, { scale: SCALE, seed: 43 });
    const [da, dc] = [await seededDigest(a.connector), await seededDigest(c.connector)];
    expect(dc['pipeline_stages']).toBe(da['pipeline_stages']);
    for (const table of ['users', 'contacts', 'transactions', 'interactions', 'contact_tags']) {
      expect(dc[table], table).not.toBe(da[table]);
    }
  });

  it('keeps purchase totals equal to the sum of their generated line totals', async () => {
    const conn = await a.connector.connect();
    try {
      const rows = await conn.query<{ n: string | number }>(
        `SELECT COUNT(*) AS n FROM transactions t
           JOIN (SELECT transaction_id, SUM(line_total) AS s FROM transaction_items GROUP BY transaction_id) i
             ON i.transaction_id = t.id
          WHERE i.s <> t.total_amount`,
      );
      expect(Number(rows[0]?.n)).toBe(0);
      const orphans = await conn.query<{ n: string | number }>(
        'SELECT COUNT(*) AS n FROM transactions t LEFT JOIN transaction_items i ON i.transaction_id = t.id WHERE i.id IS NULL',
      );
      expect(Number(orphans[0]?.n)).toBe(0);
    } finally {
      await conn.close();
    }
  });

  it('row counts scale with --scale', async () => {
    const small = await countRows(a.connector, 'contacts');
    expect(small).toBe(Math.round(100_000 * SCALE));
  });

  it('refuses a schema that already has data, unless told to truncate', async () => {
    const refused = seed(a.connector, { scale: SCALE, seed: 42 });
    await expect(refused).rejects.toBeInstanceOf(UsageError);
    await expect(refused).rejects.toThrow(
      /already has data: seed needs empty tables; drop the schema or use a new one/,
    );
    const before = await seededDigest(a.connector);
    await seed(a.connector, { scale: SCALE, seed: 42, truncate: true });
    expect(await seededDigest(a.connector)).toEqual(before);
  });

  it('refuses a schema that is not migrated', async () => {
    await expect(seed(bare.connector, { scale: SCALE })).rejects.toThrow(/not migrated/);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses scale %s with a UsageError',
    async (scale) => {
      await expect(seed(bare.connector, { scale })).rejects.toBeInstanceOf(UsageError);
    },
  );

  it('refuses invalid threads and seeds with a UsageError', async () => {
    await expect(seed(bare.connector, { scale: SCALE, threads: 0 })).rejects.toBeInstanceOf(UsageError);
    await expect(seed(bare.connector, { scale: SCALE, seed: 1.5 })).rejects.toBeInstanceOf(UsageError);
  });
});
