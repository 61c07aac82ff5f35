/**
 * The in-place merge of a stage into a MyISAM table, on the test server, against a model in the
 * test: for each key of the key table (keys compared as the column's case-insensitive collation
 * does), the target ends with the stage's row of that key or none; other rows stay as they were.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { mergeRows, mergesInPlace } from '../../../sync/incremental/merge-rows.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let db: TestDatabase;
let conn: SqlConnection;

beforeAll(async () => {
  db = await createTestDatabase('merge_rows');
  conn = await db.connector.connect();
});

afterAll(async () => {
  await conn?.close();
  await db?.drop();
});

type Row = [k: string, v: number | null, note: string];

const table = (name: string, extra = '') =>
  `CREATE TABLE ${name} (k VARCHAR(8) COLLATE utf8mb4_general_ci NOT NULL, v INT NULL, note TEXT NULL, PRIMARY KEY (k), KEY (v)${extra}) ENGINE=MyISAM`;

async function fill(name: string, rows: readonly Row[]): Promise<void> {
  await conn.execute(`DROP TABLE IF EXISTS ${name}`);
  await conn.execute(table(name, name === 'target' ? ', FULLTEXT KEY (note)' : ''));
  for (const r of rows) await conn.execute(`INSERT INTO ${name} VALUES (?, ?, ?)`, r);
}

const read = async (name: string) =>
  (await conn.query<{ k: string; v: number | null; note: string }>(`SELECT CAST(k AS BINARY) AS k, v, note FROM ${name} ORDER BY CAST(k AS BINARY)`)).map(
    (r) => [Buffer.from(r.k as unknown as Buffer).toString(), r.v, r.note] as Row,
  );

/** The model: rows of keys in `keys` come from `from` (the first row of each case-folded key), others stay. */
function expected(target: readonly Row[], from: readonly Row[], keys: readonly string[]): Row[] {
  const fold = (k: string) => k.toLowerCase();
  const keyed = new Set(keys.map(fold));
  const out = target.filter((r) => !keyed.has(fold(r[0])));
  for (const r of from) if (keyed.has(fold(r[0]))) out.push(r);
  return out.sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])));
}

/** Rows with keys unique under the collation (as a primary key holds them). */
const rowsArb = fc.uniqueArray(fc.tuple(fc.stringMatching(/^[abAB]{1,3}$/), fc.option(fc.integer({ min: 0, max: 3 })), fc.constantFrom('alpha word', 'beta word', 'gamma')), {
  selector: (r) => r[0].toLowerCase(),
  maxLength: 12,
});

const merge = (fromKeyed: boolean) =>
  mergeRows(conn, {
    target: 'target',
    from: 'source',
    keys: 'keyset',
    fromKeyed,
    on: (a, b) => `${a}.k = ${b}.k`,
    cols: ['k', 'v', 'note'],
  });

describe('mergeRows', () => {
  it('deletes gone keys, updates changed rows (a key changed in case only too), inserts new ones, leaves the rest', async () => {
    await fill('target', [['jose', 1, 'alpha'], ['keep', 2, 'beta word'], ['gone', 3, 'x'], ['same', 4, 'y'], ['other', 9, 'z']]);
    await fill('source', [['José', 1, 'alpha'], ['keep', 20, 'beta word'], ['same', 4, 'y'], ['new', 5, 'n'], ['stray', 7, 'not a key']]);
    await fill('keyset', [['jose', null, ''], ['keep', null, ''], ['gone', null, ''], ['same', null, ''], ['new', null, '']]);
    const r = await merge(false);
    expect(r).toEqual({ deleted: 1, updated: 2, inserted: 1 });
    expect(await read('target')).toEqual([
      ['José', 1, 'alpha'],
      ['keep', 20, 'beta word'],
      ['new', 5, 'n'],
      ['other', 9, 'z'],
      ['same', 4, 'y'],
    ]);
    expect(await conn.query("SELECT k FROM target WHERE MATCH(note) AGAINST ('beta')")).toHaveLength(1);
  });

  it('finds a zero-date key: updated in place, not taken for a missing row (NOT NULL dates are IS NULL there)', async () => {
    await conn.execute("SET SESSION sql_mode = ''");
    for (const t of ['zt', 'zs', 'zk']) {
      await conn.execute(`DROP TABLE IF EXISTS ${t}`);
      await conn.execute(`CREATE TABLE ${t} (d DATE NOT NULL, v INT NULL, PRIMARY KEY (d)) ENGINE=MyISAM`);
    }
    await conn.execute("INSERT INTO zt VALUES ('0000-00-00', 1), ('2024-01-01', 2)");
    await conn.execute("INSERT INTO zs VALUES ('0000-00-00', 10), ('2024-01-01', 2)");
    await conn.execute("INSERT INTO zk VALUES ('0000-00-00', NULL), ('2024-01-01', NULL)");
    const r = await mergeRows(conn, { target: 'zt', from: 'zs', keys: 'zk', fromKeyed: true, on: (a, b) => `${a}.d = ${b}.d`, cols: ['d', 'v'] });
    expect(r).toEqual({ deleted: 0, updated: 1, inserted: 0 });
    expect(await conn.query('SELECT CAST(d AS CHAR) AS d, v FROM zt ORDER BY d')).toEqual([
      { d: '0000-00-00', v: 10 },
      { d: '2024-01-01', v: 2 },
    ]);
  });

  it('matches the model on generated rows and keys (property)', async () => {
    await fc.assert(
      fc.asyncProperty(rowsArb, rowsArb, fc.uniqueArray(fc.stringMatching(/^[abAB]{1,3}$/), { selector: (k) => k.toLowerCase(), maxLength: 10 }), fc.boolean(), async (target, from0, keys, fromKeyed) => {
        // A keyed stage holds rows of the keys only.
        const from = fromKeyed ? from0.filter((r) => keys.some((k) => k.toLowerCase() === r[0].toLowerCase())) : from0;
        await fill('target', target);
        await fill('source', from);
        await fill('keyset', keys.map((k) => [k, null, '']));
        await merge(fromKeyed);
        expect(await read('target')).toEqual(expected(target, from, keys));
      }),
      { numRuns: 40 },
    );
  });
});

describe('mergesInPlace', () => {
  it('only when the key is the one unique index, over whole columns', async () => {
    const make = async (name: string, ddl: string) => {
      await conn.execute(`DROP TABLE IF EXISTS ${name}`);
      await conn.execute(`CREATE TABLE ${name} (${ddl}) ENGINE=MyISAM`);
    };
    await make('pk_only', 'id INT NOT NULL, a INT, b TEXT, PRIMARY KEY (id), KEY (a), FULLTEXT KEY (b)');
    await make('pk_two', 'x INT NOT NULL, y INT NOT NULL, PRIMARY KEY (x, y)');
    await make('pk_unique', 'id INT NOT NULL, email VARCHAR(10), PRIMARY KEY (id), UNIQUE KEY (email)');
    await make('pk_prefix', 'id VARCHAR(50) NOT NULL, PRIMARY KEY (id(10))');
    expect(await mergesInPlace(conn, db.database, 'pk_only', ['id'])).toBe(true);
    expect(await mergesInPlace(conn, db.database, 'pk_two', ['y', 'x'])).toBe(true);
    expect(await mergesInPlace(conn, db.database, 'pk_two', ['x'])).toBe(false);
    expect(await mergesInPlace(conn, db.database, 'pk_unique', ['id']), 'two rows swapping emails would fail half-way').toBe(false);
    expect(await mergesInPlace(conn, db.database, 'pk_prefix', ['id'])).toBe(false);
    expect(await mergesInPlace(conn, db.database, 'pk_only', ['a'])).toBe(false);
  });
});
