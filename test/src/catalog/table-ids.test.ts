/**
 * InnoDB's file-name encoding, as the server writes it in INNODB_TABLES.NAME, and the pairing of
 * those names with information_schema's. MySQL has no `filename` character set to encode with, so
 * there the pairing is done in innodb-names.ts; the oracle here is independent of any name: each
 * generated table gets a marker column, and INNODB_COLUMNS gives the table id that carries it.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify, quoteId } from '../../../src/db/quote.js';
import { filenameOfAscii, readTableIds, readTableIdsPaired } from '../../../src/catalog/table-ids.js';
import { couldEncodeTo, pairEncodedNames } from '../../../src/catalog/innodb-names.js';
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

describe('couldEncodeTo and pairEncodedNames', () => {
  it('takes a non-ASCII character as a letter code or its hex code point, and nothing else', () => {
    expect(couldEncodeTo('t é', 't@0020@0p')).toBe(true);
    expect(couldEncodeTo('日本', '@65e5@672c')).toBe(true);
    expect(couldEncodeTo('t é', 't@0020@0p@0p')).toBe(false);
    expect(couldEncodeTo('t,', 't@0020')).toBe(false);
    expect(couldEncodeTo('é', 'e')).toBe(false);
  });

  it('pairs ASCII names exactly first, and leaves out a name two encodings fit', () => {
    // `aé2c` could be `a` `@00` `2c`, but `a@002c` is certainly `a,`'s.
    expect(pairEncodedNames(['a,', 'aé2c'], ['a@002c', 'a@0p2c'])).toEqual(new Map([['a@002c', 'a,'], ['a@0p2c', 'aé2c']]));
    // café and cafè both fit both encodings: neither is paired.
    expect(pairEncodedNames(['café', 'cafè', 'x'], ['caf@0p', 'caf@0o', 'x'])).toEqual(new Map([['x', 'x']]));
  });
});

describe('readTableIds on the test server', () => {
  let db: TestDatabase;
  let conn: SqlConnection;
  beforeAll(async () => {
    db = await createTestDatabase('table_ids é');
    conn = await db.connector.connect();
  });
  afterAll(async () => {
    await conn?.close();
    await db?.drop();
  });

  async function dropAll(): Promise<void> {
    const ts = await conn.query<{ t: string }>('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [db.database]);
    for (const { t } of ts) await conn.execute(`DROP TABLE ${qualify(db.database, t)}`);
  }

  /** Table id of each table, found through its marker column `m_<i>`, never through its name. */
  async function oracleIds(names: readonly string[]): Promise<Map<string, string>> {
    const view = (await conn.query<{ n: number }>("SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'information_schema' AND TABLE_NAME = 'INNODB_COLUMNS'"))[0]!.n > 0 ? 'INNODB_COLUMNS' : 'INNODB_SYS_COLUMNS';
    const rows = await conn.query<{ id: string | number; c: string }>(`SELECT TABLE_ID AS id, NAME AS c FROM information_schema.${view} WHERE NAME LIKE 'm\\_%'`);
    const byMarker = new Map(rows.map((r) => [r.c, String(r.id)]));
    return new Map(names.map((n, i) => [n, byMarker.get(`m_${i}`)!]));
  }

  it('fingerprints every oddly named ASCII table, and TRUNCATE changes its fingerprint', async () => {
    await dropAll();
    for (const t of ODD) await conn.execute(`CREATE TABLE ${qualify(db.database, t)} (id INT PRIMARY KEY) ENGINE=InnoDB`);
    const before = await readTableIds(conn, db.database);
    expect(Object.keys(before ?? {}).sort()).toEqual([...ODD].sort());
    await conn.execute(`TRUNCATE TABLE ${qualify(db.database, 'a,b')}`);
    const after = await readTableIds(conn, db.database);
    expect(after!['a,b']).not.toBe(before!['a,b']);
    expect(after!['my tbl']).toBe(before!['my tbl']);
  });

  // Letters with and without a letter code, ASCII that is escaped, and look-alikes (é/è, e/é).
  const CHARS = ['a', 'e', 'é', 'è', 'É', 'ж', 'Ω', 'ß', '日', '€', '_', '1', ',', '%', '@', '#', '/', ' ', '.'];
  const nameArb = fc.array(fc.constantFrom(...CHARS), { minLength: 1, maxLength: 6 }).map((cs) => cs.join('')).filter((n) => !n.endsWith(' '));

  it('never pairs a table with another table\'s id, and pairs every table when the names cannot be confused (generated names, on this server)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(nameArb, { minLength: 1, maxLength: 5 }), fc.boolean(), async (raw, tagged) => {
        // Tagged: each name ends in its own ASCII tag, so no two can be confused and all must pair.
        const names = tagged ? raw.map((n, i) => `${n}_t${i}`) : raw;
        await dropAll();
        for (const [i, n] of names.entries()) {
          await conn.execute(`CREATE TABLE ${qualify(db.database, n)} (id INT PRIMARY KEY, ${quoteId(`m_${i}`)} INT) ENGINE=InnoDB`);
        }
        const truth = await oracleIds(names);
        // Both ways: the server's own encoding where it has one (MariaDB), and the pairing (MySQL's way).
        for (const ids of [await readTableIds(conn, db.database), await readTableIdsPaired(conn, db.database)]) {
          expect(ids).not.toBeNull();
          for (const [name, id] of Object.entries(ids!)) expect(id, name).toBe(truth.get(name));
          if (tagged) expect(Object.keys(ids!).sort()).toEqual([...names].sort());
        }
      }),
      { numRuns: 25 },
    );
  });
});
