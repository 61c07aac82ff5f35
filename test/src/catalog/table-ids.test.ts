/**
 * InnoDB's file-name encoding of ASCII names, as the server writes it in INNODB_TABLES.NAME (MySQL
 * has no `filename` character set to encode with), checked against the server's own names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify } from '../../../src/db/quote.js';
import { filenameOfAscii, readTableIds } from '../../../src/catalog/table-ids.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

const ODD = ['a,b', 'my tbl', 'a$b-c.d@e f', 'plain_1'];

describe('filenameOfAscii', () => {
  it.each([
    ['plain_1', 'plain_1'],
    ['a,b', 'a@002cb'],
    ['my tbl', 'my@0020tbl'],
    ['a$b-c.d@e f', 'a@0024b@002dc@002ed@0040e@0020f'],
    ['größe', undefined],
  ])('%s', (name, encoded) => expect(filenameOfAscii(name)).toBe(encoded));
});

describe('readTableIds on the test server', () => {
  let db: TestDatabase;
  let conn: SqlConnection;
  beforeAll(async () => {
    db = await createTestDatabase('table_ids');
    conn = await db.connector.connect();
    for (const t of ODD) await conn.execute(`CREATE TABLE ${qualify(db.database, t)} (id INT PRIMARY KEY) ENGINE=InnoDB`);
  });
  afterAll(async () => {
    await conn?.close();
    await db?.drop();
  });

  it('fingerprints every oddly named ASCII table, and TRUNCATE changes its fingerprint', async () => {
    const before = await readTableIds(conn, db.database);
    expect(Object.keys(before ?? {}).sort()).toEqual([...ODD].sort());
    await conn.execute(`TRUNCATE TABLE ${qualify(db.database, 'a,b')}`);
    const after = await readTableIds(conn, db.database);
    expect(after!['a,b']).not.toBe(before!['a,b']);
    expect(after!['my tbl']).toBe(before!['my tbl']);
  });
});
