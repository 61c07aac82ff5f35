/**
 * copyRows (the streamed cross-server copy, repairs, shadow rewrites) writes back every value
 * bit-exactly: FLOAT extremes, DOUBLE extremes, wide DECIMAL, BIGINT UNSIGNED, BIT, YEAR, TIME,
 * zero dates, JSON, the ENUM error value next to a '' member, SET, GEOMETRY, and strings in
 * character sets that do not survive a trip through Unicode (cp932's NEC/IBM duplicates).
 * Compared with test/helpers/exact-digest.ts (HEX of bytes, FLOAT as its double).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify } from '../../../src/db/quote.js';
import { copyRows } from '../../../src/rows/copy-rows.js';
import { discoverTables } from '../../../src/catalog/discover-tables.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { prepareSession } from '../../../src/db/sessions.js';
import { writableColumns } from '../../../src/catalog/table-meta.js';
import { exactRows } from '../../helpers/exact-rows.js';
import { createTestDatabase, type TestDatabase, testPipeline } from '../../helpers/test-database.js';

let db: TestDatabase;
let conn: SqlConnection;
const q = (t: string) => qualify(db.database, t);

/** Creates `name` as InnoDB with `columns` and fills it on a non-strict session (zero dates, the ENUM error value). */
async function makeTable(name: string, columns: string, rows: string): Promise<void> {
  await conn.execute(`CREATE TABLE ${q(name)} (id INT NOT NULL PRIMARY KEY, ${columns}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
  await conn.execute(`INSERT INTO ${q(name)} VALUES ${rows}`);
}

/** Copies `name` into a MyISAM twin with copyRows and returns [source, copy] exact rows. */
async function copyTwin(name: string): Promise<[unknown, unknown]> {
  const twin = `${name}_copy`;
  await conn.execute(`CREATE TABLE ${q(twin)} LIKE ${q(name)}`);
  await conn.execute(`ALTER TABLE ${q(twin)} ENGINE=MyISAM`);
  const reader = await db.connector.connect();
  const writer = await db.connector.connect();
  try {
    await prepareSession(reader);
    await prepareSession(writer);
    const meta = (await discoverTables(reader, db.database)).find((m) => m.name === name)!;
    const n = await copyRows(reader, writer, { schema: db.database, table: name }, { schema: db.database, table: twin }, writableColumns(meta));
    expect(n).toBeGreaterThan(0);
  } finally {
    await reader.close();
    await writer.close();
  }
  return [await exactRows(conn, db.database, name), await exactRows(conn, db.database, twin)];
}

beforeAll(async () => {
  db = await createTestDatabase('copyrows');
  conn = await db.connector.connect();
  await prepareSession(conn);
});

afterAll(async () => {
  await conn.close();
  await db.drop();
});

describe('copyRows value round trip', () => {
  it('copies FLOAT and DOUBLE extremes bit-exactly (FLOAT printed with 6 digits lost them)', async () => {
    await makeTable(
      'floats',
      'f FLOAT, d DOUBLE',
      `(1, 16777215, 1.7976931348623157e308), (2, 3.4028234e38, 5e-324), (3, -3.4028234e38, -1.7976931348623157e308),
       (4, 1.17549435e-38, 2.2250738585072014e-308), (5, 1.4e-45, 0.1), (6, 0.1, -0e0), (7, 123456.789, 1/3), (8, NULL, NULL), (9, -0e0 * 1, 0)`,
    );
    const [src, copy] = await copyTwin('floats');
    expect(copy).toEqual(src);
  });

  it('copies DECIMAL(65,30), BIGINT UNSIGNED, BIT, YEAR, TIME, zero dates and TIMESTAMP exactly', async () => {
    await makeTable(
      'numbers',
      'dc DECIMAL(65,30), bu BIGINT UNSIGNED, bs BIGINT, b1 BIT(1), b7 BIT(7), b64 BIT(64), y YEAR, t TIME(6), dt DATE, dtm DATETIME(6), ts TIMESTAMP(6) NULL',
      `(1, 99999999999999999999999999999999999.999999999999999999999999999999, 18446744073709551615, -9223372036854775808, b'1', b'1010101', b'1111111111111111111111111111111111111111111111111111111111111111', 2155, '-838:59:59.000000', '0000-00-00', '0000-00-00 00:00:00', '2038-01-19 03:14:07.999999'),
       (2, -0.000000000000000000000000000001, 0, 0, b'0', b'0', b'0', 0, '-00:00:00.000001', '2024-00-00', '9999-12-31 23:59:59.999999', '1970-01-01 00:00:01'),
       (3, NULL, NULL, NULL, NULL, NULL, NULL, 1901, '838:59:59', '1000-01-01', NULL, NULL)`,
    );
    const [src, copy] = await copyTwin('numbers');
    expect(copy).toEqual(src);
  });

  it("keeps the ENUM error value '' (index 0) apart from a '' member and from members named like indexes", async () => {
    await makeTable(
      'enums',
      "e ENUM('', 'a', '2', '1'), e2 ENUM('x', 'y'), s SET('a', '5', 'b')",
      "(1, 'a', 'x', 'a,b'), (2, '', 'y', ''), (3, 'bogus', 'bogus', '5'), (4, '2', 'x', 'a,5,b'), (5, '1', NULL, NULL), (6, NULL, 'y', 'b')",
    );
    const idx = await conn.query<{ e: string }>(`SELECT CONCAT(e+0) AS e FROM ${q('enums')} ORDER BY id`);
    expect(idx.map((r) => r.e)).toEqual(['2', '1', '0', '3', '4', null]);
    const [src, copy] = await copyTwin('enums');
    expect(copy).toEqual(src);
  });

  it('copies JSON, GEOMETRY and awkward strings byte for byte', async () => {
    await makeTable(
      'texts',
      'js JSON, g GEOMETRY, p POINT, tx TEXT, vc VARCHAR(50), vb VARBINARY(20), bn BINARY(4)',
      `(1, '{"b": [1, 2.50, null], "a": "\\\\u00e9 \\\\"q\\\\""}', ST_GeomFromText('POLYGON((0 0, 1 0, 1 1, 0 0))'), ST_GeomFromText('POINT(1.5 -2.25)', 4326),
         'trailing   \\t\\n\\r \\\\ \\0 end  ', 'sp  ', X'00FF5C0A0927', X'00000000'),
       (2, '[]', NULL, ST_GeomFromText('POINT(0 0)'), '', '', X'', X'5C4E0000'),
       (3, NULL, ST_GeomFromText('LINESTRING(0 0, 1e300 -1e-300)'), NULL, '😀 中文 \\\\N NULL', 'NULL', NULL, NULL)`,
    );
    const [src, copy] = await copyTwin('texts');
    expect(copy).toEqual(src);
  });

  it('copies strings in character sets that do not round-trip through Unicode, by their bytes', async () => {
    await makeTable(
      'charsets',
      `l1 VARCHAR(20) CHARACTER SET latin1, w VARCHAR(20) CHARACTER SET cp1251, cj VARCHAR(20) CHARACTER SET cp932,
       sj VARCHAR(20) CHARACTER SET sjis, b5 VARCHAR(20) CHARACTER SET big5, gb VARCHAR(20) CHARACTER SET gbk, uj VARCHAR(20) CHARACTER SET ujis,
       u16 VARCHAR(20) CHARACTER SET utf16, u2 VARCHAR(20) CHARACTER SET ucs2, u32 VARCHAR(20) CHARACTER SET utf32, u8 VARCHAR(20) CHARACTER SET utf8mb3,
       ce ENUM('a', 'b') CHARACTER SET cp932, tb TEXT CHARACTER SET cp932`,
      `(1, X'E9FF8190', X'C0FF98', X'ED40FA5C8790', X'8EA0', X'A440', X'81308130', X'A4A2', X'D83DDE00', X'00E9', X'0001F600', 'é', 'b', X'ED40FA5CEEF9'),
       (2, 'plain', 'plain', 'plain', 'plain', 'plain', 'plain', 'plain', 'plain', 'plain', 'plain', 'plain', 'a', 'plain')`,
    );
    const before = await conn.query<{ h: string }>(`SELECT HEX(cj) AS h FROM ${q('charsets')} WHERE id = 1`);
    expect(before[0]!.h).toBe('ED40FA5C8790');
    const [src, copy] = await copyTwin('charsets');
    expect(copy).toEqual(src);
  });
});

describe('streamed (cross-server) sync', () => {
  it('mirrors GEOMETRY columns and FLOAT values exactly', async () => {
    const reportSchema = `${db.database}_report`;
    await conn.execute(`CREATE TABLE ${q('places')} (id INT NOT NULL PRIMARY KEY, f FLOAT, g GEOMETRY, p POINT NOT NULL, cj VARCHAR(10) CHARACTER SET cp932) ENGINE=InnoDB`);
    await conn.execute(
      `INSERT INTO ${q('places')} VALUES (1, 16777215, ST_GeomFromText('POINT(1 2)'), ST_GeomFromText('POINT(3 4)'), X'ED40'),
       (2, 3.4028234e38, NULL, ST_GeomFromText('POINT(-1 -2)', 4326), X'FA5C')`,
    );
    await runSync({
      pipeline: { ...testPipeline(db, reportSchema), sameServer: false },
      include: ['places'],
      reports: [],
    });
    expect(await exactRows(conn, reportSchema, 'places')).toEqual(await exactRows(conn, db.database, 'places'));
  });
});
