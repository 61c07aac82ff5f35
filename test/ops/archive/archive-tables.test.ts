/**
 * An archive table that already exists must match its source table: the same stored columns and
 * the same primary key (the chunks find archive rows by it). One that does not refuses the run
 * with the table named, before any row moves.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runArchive } from '../../../ops/archive/run-archive.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify, quoteId } from '../../../src/db/quote.js';
import { SchemaChangedError } from '../../../src/errors.js';
import { createTestDatabase, type TestDatabase, testPipeline } from '../../helpers/test-database.js';

let db: TestDatabase;
let conn: SqlConnection;
let archive: string;

beforeAll(async () => {
  db = await createTestDatabase('arctables');
  conn = await db.connector.connect();
  archive = `${db.database}_archive`;
  await conn.execute('CREATE TABLE parent (id INT NOT NULL PRIMARY KEY, born DATE NOT NULL) ENGINE=InnoDB');
  await conn.execute(
    'CREATE TABLE child (id INT NOT NULL PRIMARY KEY, parent_id INT NOT NULL, note VARCHAR(20), FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE) ENGINE=InnoDB',
  );
  await conn.execute("INSERT INTO parent VALUES (1, '2001-01-01'), (2, '2002-02-02'), (3, '2023-03-03')");
  await conn.execute("INSERT INTO child VALUES (10, 1, 'a'), (11, 1, 'b'), (20, 2, 'c'), (30, 3, 'd')");
});

afterAll(async () => {
  await conn?.close();
  await db?.drop();
});

beforeEach(async () => {
  await conn.execute(`DROP DATABASE IF EXISTS ${quoteId(archive)}`);
  await conn.execute(`CREATE DATABASE ${quoteId(archive)}`);
});

const counts = async () => {
  const [r] = await conn.query<{ p: number | string; c: number | string }>('SELECT (SELECT COUNT(*) FROM parent) AS p, (SELECT COUNT(*) FROM child) AS c');
  return { p: Number(r!.p), c: Number(r!.c) };
};

describe('existing archive tables', () => {
  it('one without the primary key refuses the run, naming it, and nothing moves', async () => {
    await conn.execute(`CREATE TABLE ${qualify(archive, 'child')} (id INT NOT NULL, parent_id INT NOT NULL, note VARCHAR(20)) ENGINE=MyISAM`);
    const before = await counts();
    const err = await runArchive({ pipeline: testPipeline(db), where: "parent.born < '2010-01-01'" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaChangedError);
    expect((err as Error).message).toContain(`${archive}.child`);
    expect((err as Error).message).toMatch(/primary key is \(none\), the source's is \(id\)/);
    expect(await counts()).toEqual(before);
  });

  it('one with other columns refuses the run, and one that matches takes the rows', async () => {
    await conn.execute(`CREATE TABLE ${qualify(archive, 'child')} (id INT NOT NULL PRIMARY KEY, parent_id INT NOT NULL, note VARCHAR(30)) ENGINE=MyISAM`);
    const err = await runArchive({ pipeline: testPipeline(db), where: "parent.born < '2010-01-01'" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaChangedError);
    expect((err as Error).message).toMatch(/columns differ/);
    await conn.execute(`ALTER TABLE ${qualify(archive, 'child')} MODIFY note VARCHAR(20)`);
    await runArchive({ pipeline: testPipeline(db), where: "parent.born < '2010-01-01'" });
    expect(await counts()).toEqual({ p: 1, c: 1 });
    expect((await conn.query<{ id: number }>(`SELECT id FROM ${qualify(archive, 'child')} ORDER BY id`)).map((r) => Number(r.id))).toEqual([10, 11, 20]);
  });
});
