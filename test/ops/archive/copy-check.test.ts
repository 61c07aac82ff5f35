/**
 * The archive's copy check (ops/archive/copy-check.ts) on a real server: a chunk passes exactly
 * when its copy holds the same rows. The oracle is test/helpers/exact-rows.ts (HEX of stored bytes,
 * FLOAT as its double, DOUBLE with its sign, ENUM and SET with their index), which shares no code
 * with the product. Generated rows are copied into a MyISAM twin, one generated change is made to
 * the copy or the original (a cell, a deleted row), and the check must refuse the chunk if and only
 * if the oracle sees the two differ: a case-only change, a trailing space, NULL against '', -0
 * against 0, the ENUM error value against a '' member, a SET's '' member against the empty set, a
 * FLOAT's last bit.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCopy, countSameRows } from '../../../ops/archive/copy-check.js';
import { discoverTables } from '../../../src/catalog/discover-tables.js';
import type { TableMeta } from '../../../src/catalog/table-meta.js';
import type { Row, SqlConnection } from '../../../src/db/connection.js';
import { qualify, quoteId } from '../../../src/db/quote.js';
import { exactRows } from '../../helpers/exact-rows.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let db: TestDatabase;
let conn: SqlConnection;
let meta: TableMeta;
let wide: TableMeta;

/** Each column and the SQL values a generated cell takes (literals; strings stored as written). */
const MENU: Record<string, string[]> = {
  v: ["'a'", "'A'", "'a '", "''", 'NULL', "'é'", "'e'"],
  vb: ["'a'", "X'6100'", "''", 'NULL', "'A'"],
  f: ['0.1', '16777215', '16777216', '-0e0', '0', 'NULL'],
  d: ['0.1', '0.30000000000000004', '-0e0', '0', 'NULL'],
  e: ["''", "'x'", "'y'", "'not a member'", 'NULL'],
  st: ["''", '1', "'a'", "'a,b'", '0', '3'],
  j: ['\'{"a": 1}\'', '\'{"a": 1.0}\'', '\'[1, 2]\'', 'NULL'],
  n: ['1.50', '1.5', '-0.01', '0', 'NULL'],
  bt: ["b'000'", "b'101'", "b'111'", 'NULL'],
  dt: ["'2024-02-29 10:00:00.000001'", "'2024-02-29 10:00:00'", "'0000-00-00 00:00:00'", 'NULL'],
};
const COLS = Object.keys(MENU);

beforeAll(async () => {
  db = await createTestDatabase('copycheck');
  conn = await db.connector.connect();
  // Non-strict, as a user's old data may be: the ENUM error value, zero dates.
  await conn.execute("SET SESSION sql_mode = ''");
  const q = (t: string) => qualify(db.database, t);
  await conn.execute(`CREATE DATABASE ${quoteId(`${db.database}_copy`)}`);
  await conn.execute(
    `CREATE TABLE ${q('t')} (id INT NOT NULL PRIMARY KEY, v VARCHAR(6) COLLATE utf8mb4_general_ci, vb VARBINARY(4), f FLOAT, d DOUBLE,
       e ENUM('', 'x', 'y'), st SET('', 'a', 'b') NOT NULL, j JSON, n DECIMAL(6, 2), bt BIT(3), dt DATETIME(6)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  );
  await conn.execute(`CREATE TABLE ${qualify(`${db.database}_copy`, 't')} LIKE ${q('t')}`);
  await conn.execute(`ALTER TABLE ${qualify(`${db.database}_copy`, 't')} ENGINE=MyISAM`);
  await conn.execute(`CREATE TABLE ${q('w')} (a INT NOT NULL, b VARCHAR(4) NOT NULL, x VARCHAR(10), PRIMARY KEY (a, b)) ENGINE=InnoDB`);
  await conn.execute(`CREATE TABLE ${qualify(`${db.database}_copy`, 'w')} (a INT NOT NULL, b VARCHAR(4) NOT NULL, x VARCHAR(10), PRIMARY KEY (a, b)) ENGINE=MyISAM`);
  const metas = await discoverTables(conn, db.database);
  meta = metas.find((m) => m.name === 't')!;
  wide = metas.find((m) => m.name === 'w')!;
});

afterAll(async () => {
  await conn?.execute(`DROP DATABASE IF EXISTS ${quoteId(`${db.database}_copy`)}`).catch(() => undefined);
  await conn?.close();
  await db?.drop();
});

const copy = () => `${db.database}_copy`;

/** Runs checkCopy over `keys`; true when it passes. */
async function passes(m: TableMeta, keys: Row[]): Promise<boolean> {
  try {
    await checkCopy(conn, { verb: 'archive', from: db.database, to: copy(), chunkNo: 1 }, new Map([[m.name, m]]), new Map([[m.name, keys]]));
    return true;
  } catch (error) {
    expect(String(error)).toMatch(/row\(s\) in .* are missing or differ from/);
    return false;
  }
}

const cell = (c: string) => fc.constantFrom(...MENU[c]!);
const row = fc.record(Object.fromEntries(COLS.map((c) => [c, cell(c)])));
const change = fc.oneof(
  fc.record({ kind: fc.constant('cell' as const), side: fc.constantFrom('original', 'copy'), col: fc.constantFrom(...COLS), pick: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), side: fc.constantFrom('original', 'copy') }),
);

describe('checkCopy', () => {
  it('refuses a chunk exactly when the copy differs from the original by the oracle (property, real server)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 5 }), fc.nat(), change, async (rows, at, ch) => {
        for (const s of [db.database, copy()]) await conn.execute(`DELETE FROM ${qualify(s, 't')}`);
        const values = rows.map((r, i) => `(${i + 1}, ${COLS.map((c) => r[c]).join(', ')})`).join(', ');
        await conn.execute(`INSERT INTO ${qualify(db.database, 't')} (id, ${COLS.join(', ')}) VALUES ${values}`);
        // Not `SELECT *`: the server copies a SET through its text, and its '' member would arrive as the empty set.
        await conn.execute(`INSERT INTO ${qualify(copy(), 't')} SELECT ${['id', ...COLS].map((c) => (c === 'st' ? 'CAST(st AS UNSIGNED)' : c)).join(', ')} FROM ${qualify(db.database, 't')}`);
        const keys = rows.map((_r, i) => ({ id: i + 1 }));
        expect(await passes(meta, keys)).toBe(true);
        const id = (at % rows.length) + 1;
        const target = qualify(ch.side === 'copy' ? copy() : db.database, 't');
        if (ch.kind === 'delete') await conn.execute(`DELETE FROM ${target} WHERE id = ?`, [id]);
        else await conn.execute(`UPDATE ${target} SET ${quoteId(ch.col)} = ${MENU[ch.col]![ch.pick % MENU[ch.col]!.length]} WHERE id = ?`, [id]);
        const differ = JSON.stringify(await exactRows(conn, db.database, 't')) !== JSON.stringify(await exactRows(conn, copy(), 't'));
        expect(await passes(meta, keys)).toBe(!differ);
      }),
      { numRuns: 60 },
    );
  });

  it('names the differing key of a chunk spanning several key lists, with a several-column key', async () => {
    for (const s of [db.database, copy()]) await conn.execute(`DELETE FROM ${qualify(s, 'w')}`);
    const rows = Array.from({ length: 450 }, (_, i) => [i % 7, `k${i}`, `x${i}`]);
    await conn.execute(`INSERT INTO ${qualify(db.database, 'w')} VALUES ${rows.map(() => '(?, ?, ?)').join(', ')}`, rows.flat());
    await conn.execute(`INSERT INTO ${qualify(copy(), 'w')} SELECT * FROM ${qualify(db.database, 'w')}`);
    const keys = rows.map(([a, b]) => ({ a, b }));
    expect(await countSameRows(conn, db.database, copy(), wide, keys)).toBe(450);
    // Row 333 sits in the fourth list of 100 tuples; its copy changes case only.
    await conn.execute(`UPDATE ${qualify(copy(), 'w')} SET x = 'X333' WHERE a = ? AND b = ?`, [333 % 7, 'k333']);
    expect(await countSameRows(conn, db.database, copy(), wide, keys)).toBe(449);
    await expect(
      checkCopy(conn, { verb: 'archive of s', from: db.database, to: copy(), chunkNo: 4 }, new Map([['w', wide]]), new Map([['w', keys]])),
    ).rejects.toThrow(`archive of s of w failed at chunk 4: 1 of 450 row(s) in ${copy()} are missing or differ from ${db.database} (e.g. key 4, k333)`);
    // A key the original lacks: the chunk's rows are not all there.
    await conn.execute(`UPDATE ${qualify(copy(), 'w')} SET x = 'x333' WHERE a = ? AND b = ?`, [333 % 7, 'k333']);
    await expect(
      checkCopy(conn, { verb: 'archive of s', from: db.database, to: copy(), chunkNo: 4 }, new Map([['w', wide]]), new Map([['w', [...keys, { a: 1, b: 'gone' }]]])),
    ).rejects.toThrow('(e.g. key 1, gone, missing from');
  });
});
