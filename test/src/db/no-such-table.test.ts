/** "Nothing there yet" is recognised whether the table or its whole schema is missing, on either server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { isNoSuchTable } from '../../../src/db/no-such-table.js';
import { qualify } from '../../../src/db/quote.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let db: TestDatabase;
let conn: SqlConnection;
beforeAll(async () => {
  db = await createTestDatabase('no_such_table');
  conn = await db.connector.connect();
});
afterAll(async () => {
  await conn?.close();
  await db?.drop();
});

const failure = (sql: string) => conn.query(sql).then(() => undefined, (error: unknown) => error);

describe('isNoSuchTable', () => {
  it('is true for a missing table and for a table of a missing schema (MySQL: unknown database)', async () => {
    expect(isNoSuchTable(await failure(`SELECT 1 FROM ${qualify(db.database, 'absent')}`))).toBe(true);
    expect(isNoSuchTable(await failure(`SELECT 1 FROM ${qualify(`${db.database}_absent`, 'absent')}`))).toBe(true);
  });

  it('is false for other errors', async () => {
    await conn.execute(`CREATE TABLE ${qualify(db.database, 'present')} (id INT PRIMARY KEY)`);
    expect(isNoSuchTable(await failure(`SELECT nope FROM ${qualify(db.database, 'present')}`))).toBe(false);
  });
});
