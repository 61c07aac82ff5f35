/**
 * The oracle must see every difference that matters, and only those: a FLOAT change in its 7th
 * digit, a trailing space, a case change in a `_ci` column, a changed multiset of a keyless table
 * with duplicates ({A,A,B} vs {B,C,C}), a changed INVISIBLE column, a BIT, a TIMESTAMP one second
 * off; and it must find equal copies equal whatever their row order or the writers' time zones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { compareTable, digestTable, sameDigest } from './oracle.js';

let db: TestDatabase;
let conn: SqlConnection;
let other: string;

beforeAll(async () => {
  db = await createTestDatabase('oracle');
  conn = await db.connector.connect();
  other = `${db.database}_copy`;
  await conn.execute(`CREATE DATABASE ${quoteId(other)}`);
});

afterAll(async () => {
  await conn.close();
  await db.drop();
});

/** Creates the same table in both schemas, fills each with its rows, and compares. */
async function differs(ddl: string, a: string[], b: string[], session: [string, string] = ['', '']): Promise<boolean> {
  for (const [schema, rows, pre] of [[db.database, a, session[0]], [other, b, session[1]]] as const) {
    await conn.execute(`DROP TABLE IF EXISTS ${qualify(schema, 't')}`);
    await conn.execute(`CREATE TABLE ${qualify(schema, 't')} ${ddl} ENGINE=InnoDB`);
    if (pre) await conn.execute(pre);
    for (const r of rows) await conn.execute(`INSERT INTO ${qualify(schema, 't')} VALUES ${r}`);
    await conn.execute("SET time_zone = '+00:00'");
  }
  const equal = sameDigest(await digestTable(conn, db.database, 't'), await digestTable(conn, other, 't'));
  const diff = await compareTable(conn, db.database, other, 't');
  expect(diff === null, 'compareTable agrees with the digests').toBe(equal);
  return !equal;
}

describe('torture oracle', () => {
  it('sees a FLOAT change in the 7th digit, and not a FLOAT written twice the same way', async () => {
    expect(await differs('(f FLOAT)', ['(1.234567)'], ['(1.234568)'])).toBe(true);
    expect(await differs('(f FLOAT)', ['(1.2345678)'], ['(1.2345678)'])).toBe(false);
    expect(await differs('(d DOUBLE)', ['(0.30000000000000004e0)'], ['(0.3e0)'])).toBe(true);
  });

  it('sees a trailing space and a case change in a _ci column', async () => {
    const ddl = '(s VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci)';
    expect(await differs(ddl, ["('a')"], ["('a ')"])).toBe(true);
    expect(await differs(ddl, ["('abc')"], ["('ABC')"])).toBe(true);
    expect(await differs('(s VARCHAR(10) CHARACTER SET latin1)', ["('é')"], ["('e')"])).toBe(true);
  });

  it('compares multisets: {A,A,B} differs from {B,C,C}; row order does not matter', async () => {
    expect(await differs('(n INT, s VARCHAR(5))', ["(1,'a')", "(1,'a')", "(2,'b')"], ["(2,'b')", "(3,'c')", "(3,'c')"])).toBe(true);
    expect(await differs('(n INT, s VARCHAR(5))', ["(1,'a')", "(1,'a')", "(2,'b')"], ["(1,'a')", "(2,'b')", "(2,'b')"])).toBe(true);
    expect(await differs('(n INT, s VARCHAR(5))', ["(1,'a')", "(2,'b')", "(1,'a')"], ["(2,'b')", "(1,'a')", "(1,'a')"])).toBe(false);
  });

  it('sees a changed INVISIBLE column (which SELECT * leaves out) and a missing one', async () => {
    expect(await differs('(n INT, h INT INVISIBLE)', ['(1)'], ['(1)'], ['SET @x = 1', 'SET @x = 1'])).toBe(false);
    for (const schema of [db.database, other]) await conn.execute(`DROP TABLE IF EXISTS ${qualify(schema, 't')}`);
    await conn.execute(`CREATE TABLE ${qualify(db.database, 't')} (n INT, h INT INVISIBLE) ENGINE=InnoDB`);
    await conn.execute(`CREATE TABLE ${qualify(other, 't')} (n INT, h INT INVISIBLE) ENGINE=InnoDB`);
    await conn.execute(`INSERT INTO ${qualify(db.database, 't')} (n, h) VALUES (1, 5)`);
    await conn.execute(`INSERT INTO ${qualify(other, 't')} (n, h) VALUES (1, 6)`);
    const d = await compareTable(conn, db.database, other, 't');
    expect(d?.what).toBe('rows');
    expect(d?.columns).toEqual(['int']);
    await conn.execute(`ALTER TABLE ${qualify(other, 't')} DROP COLUMN h`);
    expect((await compareTable(conn, db.database, other, 't'))?.what).toBe('columns');
  });

  it('sees BIT, ENUM and binary trailing-zero changes', async () => {
    expect(await differs('(b BIT(64))', ["(b'1')"], ["(b'11')"])).toBe(true);
    expect(await differs("(e ENUM('', 'a'))", ["('')"], ["('a')"])).toBe(true);
    expect(await differs('(v VARBINARY(4))', ["(X'00')"], ["(X'0000')"])).toBe(true);
  });

  it('compares TIMESTAMPs as instants: equal across writers in other time zones, different one second off', async () => {
    const ddl = '(t TIMESTAMP(3) NULL)';
    expect(await differs(ddl, ["('2024-03-01 10:00:00.5')"], ["('2024-03-01 15:00:00.5')"], ["SET time_zone = '+00:00'", "SET time_zone = '+05:00'"])).toBe(false);
    expect(await differs(ddl, ["('2024-03-01 10:00:00.5')"], ["('2024-03-01 10:00:01.5')"])).toBe(true);
  });
});
