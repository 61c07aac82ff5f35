/**
 * Archive and unarchive move values whose bytes say less than the value, exactly: a SET with a ''
 * member (value 1) beside the empty set (0), the ENUM error value beside a '' member, FLOAT and
 * DOUBLE extremes with -0, zero dates, JSON numbers of several types, binary strings. The archive's
 * REPLACE … SELECT copied the SET member '' as the empty set, and the chunk's copy check then
 * refused the chunk, so the archive could never move such a row. Compared with
 * test/helpers/exact-rows.ts (no code shared with the product).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runArchive } from '../../../ops/archive/run-archive.js';
import { runUnarchive } from '../../../ops/archive/run-unarchive.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify, quoteId } from '../../../src/db/quote.js';
import { exactRows } from '../../helpers/exact-rows.js';
import { createTestDatabase, type TestDatabase, testPipeline } from '../../helpers/test-database.js';

let db: TestDatabase;
let conn: SqlConnection;
const archive = () => `${db.database}_archive`;

beforeAll(async () => {
  db = await createTestDatabase('archvals');
  conn = await db.connector.connect();
  const q = (t: string) => qualify(db.database, t);
  await conn.execute(`CREATE TABLE ${q('owner')} (id INT NOT NULL PRIMARY KEY, old TINYINT NOT NULL, st SET('', 'x') NOT NULL, e ENUM('', 'x') NULL) ENGINE=InnoDB`);
  await conn.execute(
    `CREATE TABLE ${q('item')} (id INT NOT NULL PRIMARY KEY, owner_id INT NOT NULL, s2 SET('a', '', 'b') NULL, f FLOAT, d DOUBLE, dt DATETIME NULL, j JSON NULL, vb VARBINARY(8) NULL,
       FOREIGN KEY (owner_id) REFERENCES ${q('owner')} (id) ON DELETE CASCADE) ENGINE=InnoDB`,
  );
  await conn.execute("SET SESSION sql_mode = ''");
  await conn.execute(`INSERT INTO ${q('owner')} VALUES (1, 1, 1, 'not a member'), (2, 1, 0, ''), (3, 1, 3, 'x'), (4, 0, 1, '')`);
  await conn.execute(
    `INSERT INTO ${q('item')} VALUES (10, 1, 2, 16777215, -0e0, '0000-00-00 00:00:00', JSON_EXTRACT('[1.5]', '$[0]'), X'00FF'),
       (11, 1, 0, 3.4028234e38, 5e-324, NULL, JSON_EXTRACT(JSON_ARRAY(CAST(7 AS UNSIGNED)), '$[0]'), X''),
       (12, 2, 7, NULL, 0.1, '2024-02-29 10:00:00', NULL, NULL), (13, 3, NULL, 1.4e-45, 1/3, NULL, JSON_EXTRACT(JSON_ARRAY(CAST(1.5 AS DECIMAL(3, 1))), '$[0]'), 'a '),
       (14, 4, 2, 0.1, 0, NULL, NULL, NULL)`,
  );
  await conn.execute('SET SESSION sql_mode = DEFAULT');
});

afterAll(async () => {
  await conn?.execute(`DROP DATABASE IF EXISTS ${quoteId(archive())}`).catch(() => undefined);
  await conn?.close();
  await db?.drop();
});

/** The exact rows of `table` whose key (column 0) is in `ids`; for `item` also each JSON number's type (MySQL keeps DOUBLE, DECIMAL, UNSIGNED apart; HEX shows only the text). */
const rowsIn = async (schema: string, table: string, ids: string[]) => {
  const rows = (await exactRows(conn, schema, table)).filter((r) => ids.includes(r[0]!));
  if (table !== 'item') return rows;
  const types = new Map((await conn.query<{ id: number; t: string | null }>(`SELECT id, JSON_TYPE(j) AS t FROM ${qualify(schema, table)}`)).map((r) => [String(r.id), r.t]));
  return rows.map((r) => [...r, types.get(r[0]!) ?? null]);
};

describe('archive and unarchive values', () => {
  it('moves SET, ENUM, FLOAT, zero-date, JSON and binary values out and back exactly', async () => {
    const owners = await rowsIn(db.database, 'owner', ['1', '2', '3']);
    const items = await rowsIn(db.database, 'item', ['10', '11', '12', '13']);
    expect(owners.map((r) => r[2]).sort()).toEqual(['0:', '1:', '3:78']); // the empty set, the member '', both members (printed 'x')
    const pipeline = testPipeline(db, `${db.database}_report`);
    const moved = await runArchive({ pipeline, where: 'owner.old = 1', chunkRows: 2 });
    expect(moved.subjects).toBe(3);
    expect(moved.tables.reduce((n, t) => n + t.rows, 0)).toBe(7);
    expect(await rowsIn(archive(), 'owner', ['1', '2', '3'])).toEqual(owners);
    expect(await rowsIn(archive(), 'item', ['10', '11', '12', '13'])).toEqual(items);
    expect(await rowsIn(db.database, 'owner', ['1', '2', '3'])).toEqual([]);
    await runUnarchive({ pipeline, where: 'owner.id IN (1, 2, 3)', chunkRows: 2 });
    expect(await rowsIn(db.database, 'owner', ['1', '2', '3'])).toEqual(owners);
    expect(await rowsIn(db.database, 'item', ['10', '11', '12', '13'])).toEqual(items);
    expect(await rowsIn(archive(), 'item', ['10', '11', '12', '13'])).toEqual([]);
  });
});
