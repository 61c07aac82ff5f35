/**
 * The report rewrite's delete-and-insert path (a report with a second UNIQUE index), on the test
 * server: only rows that differ are written, and a NOT NULL '0000-00-00' key, which an outer
 * join's `key IS NULL` takes for a missing row, is found like any other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { rewriteReportRows } from '../../../sync/incremental/rewrite-report-rows.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let db: TestDatabase;
let conn: SqlConnection;

beforeAll(async () => {
  db = await createTestDatabase('rewrite_rows');
  conn = await db.connector.connect();
  await conn.execute("SET SESSION sql_mode = ''"); // zero dates, as the sync's sessions allow them
});

afterAll(async () => {
  await conn?.close();
  await db?.drop();
});

async function table(name: string, rows: string, extra = ''): Promise<void> {
  await conn.execute(`DROP TABLE IF EXISTS ${name}`);
  await conn.execute(`CREATE TABLE ${name} (d DATE NOT NULL, v INT NULL, PRIMARY KEY (d)${extra}) ENGINE=MyISAM`);
  await conn.execute(`INSERT INTO ${name} VALUES ${rows}`);
}

const read = () => conn.query<{ d: string; v: number | null }>('SELECT CAST(d AS CHAR) AS d, v FROM target ORDER BY d');

describe('rewriteReportRows, deleting and inserting', () => {
  it.each([true, false])('leaves an unchanged zero-date row alone (from keyed: %s)', async (fromKeyed) => {
    await table('target', "('0000-00-00', 1), ('2024-01-01', 2), ('2024-01-02', 3), ('2024-02-01', 9)", ', UNIQUE KEY (v)');
    // Unless keyed, `from` holds rows of other keys too (the live report): they are not copied.
    await table('source', `('0000-00-00', 1), ('2024-01-01', 20), ('2024-01-03', 4)${fromKeyed ? '' : ", ('2024-03-01', 5)"}`);
    await table('keyset', "('0000-00-00', NULL), ('2024-01-01', NULL), ('2024-01-02', NULL), ('2024-01-03', NULL)");
    const r = await rewriteReportRows(conn, { target: 'target', from: 'source', keys: 'keyset', fromKeyed, key: ['d'], cols: ['d', 'v'], inPlace: false });
    expect(r, 'one changed, one gone, one new; the zero date unchanged').toEqual({ deleted: 2, updated: 0, inserted: 2 });
    expect(await read()).toEqual([
      { d: '0000-00-00', v: 1 },
      { d: '2024-01-01', v: 20 },
      { d: '2024-01-03', v: 4 },
      { d: '2024-02-01', v: 9 },
    ]);
  });

  it('rewrites a changed zero-date row', async () => {
    await table('target', "('0000-00-00', 1), ('2024-01-01', 2)");
    await table('source', "('0000-00-00', 10)");
    await table('keyset', "('0000-00-00', NULL)");
    const r = await rewriteReportRows(conn, { target: 'target', from: 'source', keys: 'keyset', fromKeyed: true, key: ['d'], cols: ['d', 'v'], inPlace: false });
    expect(r).toEqual({ deleted: 1, updated: 0, inserted: 1 });
    expect(await read()).toEqual([
      { d: '0000-00-00', v: 10 },
      { d: '2024-01-01', v: 2 },
    ]);
  });
});
