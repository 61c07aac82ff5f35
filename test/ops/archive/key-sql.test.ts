/**
 * Key lists (ops/archive/key-sql.ts) on a real server: for generated tables with one- and
 * several-column keys and generated subsets of their rows, the statements `keyLists` writes select
 * exactly the subset (the oracle is the generated subset itself), across batch boundaries, with a
 * leading column shared by many keys and values that differ only in case or accents.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BY_PRIMARY, deleteByKeysSql, KEY_BATCH, keyLists, TUPLE_BATCH } from '../../../ops/archive/key-sql.js';
import type { Row, SqlConnection } from '../../../src/db/connection.js';
import { qualify } from '../../../src/db/quote.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let db: TestDatabase;
let conn: SqlConnection;
beforeAll(async () => {
  db = await createTestDatabase('keysql');
  conn = await db.connector.connect();
  await conn.execute('CREATE TABLE one (id BIGINT NOT NULL PRIMARY KEY) ENGINE=InnoDB');
  await conn.execute('CREATE TABLE two (a INT NOT NULL, b VARCHAR(8) COLLATE utf8mb4_bin NOT NULL, PRIMARY KEY (a, b)) ENGINE=InnoDB');
});
afterAll(async () => {
  await conn?.close();
  await db?.drop();
});

const text = (r: Row, cols: string[]) => JSON.stringify(cols.map((c) => String(r[c] as string)));

/** Selects through keyLists and returns the key texts found and the statement count. */
async function select(table: string, cols: string[], wanted: Row[]): Promise<{ found: string[]; statements: number }> {
  const found: string[] = [];
  const lists = keyLists('t', cols, wanted);
  for (const w of lists) found.push(...(await conn.query(`SELECT ${cols.join(', ')} FROM ${table} AS t ${BY_PRIMARY} WHERE ${w.sql}`, w.params)).map((r) => text(r, cols)));
  return { found: found.sort(), statements: lists.length };
}

describe('keyLists', () => {
  it('selects exactly the wanted rows of a one-column key, in slices of KEY_BATCH', async () => {
    await conn.execute('DELETE FROM one');
    const ids = Array.from({ length: 2500 }, (_, i) => i * 3 - 2000);
    await conn.execute(`INSERT INTO one (id) VALUES ${ids.map((i) => `(${i})`).join(', ')}`);
    const wanted = ids.filter((i) => i % 2 === 0).map((id) => ({ id: String(id) }));
    const got = await select('one', ['id'], wanted);
    expect(got.found).toEqual(wanted.map((r) => text(r, ['id'])).sort());
    expect(got.statements).toBe(Math.ceil(wanted.length / KEY_BATCH));
  });

  it('selects exactly the wanted rows of a two-column key (property, real server)', async () => {
    const key = fc.record({ a: fc.integer({ min: -3, max: 3 }), b: fc.constantFrom('x', 'X', 'é', 'e', 'ß', 'ss', '', '0', 'k\u00a0') });
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(key, { minLength: 1, maxLength: 70, selector: (k) => `${k.a}|${k.b}` }), fc.infiniteStream(fc.boolean()), async (rows, picks) => {
        await conn.execute('DELETE FROM two');
        await conn.execute(`INSERT INTO two (a, b) VALUES ${rows.map(() => '(?, ?)').join(', ')}`, rows.flatMap((r) => [r.a, r.b]));
        const wanted = rows.filter(() => picks.next().value as boolean);
        const got = await select('two', ['a', 'b'], wanted);
        expect(got.found).toEqual(wanted.map((r) => text(r, ['a', 'b'])).sort());
      }),
      { numRuns: 40 },
    );
  });

  it('deleteByKeysSql deletes exactly the listed rows, on a session with no default schema', async () => {
    await conn.execute('DELETE FROM two');
    const rows = Array.from({ length: 250 }, (_, i) => ({ a: i % 5, b: `d${i}` }));
    await conn.execute(`INSERT INTO two (a, b) VALUES ${rows.map(() => '(?, ?)').join(', ')}`, rows.flatMap((r) => [r.a, r.b]));
    const gone = rows.filter((_, i) => i % 3 !== 0);
    const bare = await db.connector.connect({ database: null });
    try {
      let deleted = 0;
      for (const w of keyLists('', ['a', 'b'], gone)) deleted += (await bare.execute(deleteByKeysSql(qualify(db.database, 'two'), w), w.params)).affectedRows;
      expect(deleted).toBe(gone.length);
    } finally {
      await bare.close();
    }
    const left = (await conn.query('SELECT a, b FROM two')).map((r) => text(r, ['a', 'b'])).sort();
    expect(left).toEqual(rows.filter((_, i) => i % 3 === 0).map((r) => text(r, ['a', 'b'])).sort());
  });

  it('slices several-column keys in TUPLE_BATCH tuples and finds every row across the slices', async () => {
    await conn.execute('DELETE FROM two');
    const rows = Array.from({ length: 450 }, (_, i) => ({ a: i % 7, b: `k${i}` }));
    await conn.execute(`INSERT INTO two (a, b) VALUES ${rows.map(() => '(?, ?)').join(', ')}`, rows.flatMap((r) => [r.a, r.b]));
    const got = await select('two', ['a', 'b'], rows);
    expect(got.found).toEqual(rows.map((r) => text(r, ['a', 'b'])).sort());
    expect(got.statements).toBe(Math.ceil(rows.length / TUPLE_BATCH));
  });
});
