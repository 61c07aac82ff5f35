/**
 * A backup of tables and columns with any name MySQL allows restores: a table name with `.`, `\`,
 * a backtick, space, `%`, quotes, non-ASCII or 64 characters, a reserved word, a column name with
 * a backtick. Such backups used to exit 0 with a manifest their own restore rejected as damaged.
 * What a restore could not read back is refused at backup time instead.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../../backup/dump/run-backup.js';
import { runRestore } from '../../../backup/restore/run-restore.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify, quoteId } from '../../../src/db/quote.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { exactRows } from '../../helpers/exact-rows.js';
import { createTestDatabase, type TestDatabase, testPipeline } from '../../helpers/test-database.js';

let db: TestDatabase;
let conn: SqlConnection;
let parent: string;
const reportSchema = () => `${db.database}_report`;

/** Table name → an awkward column name in it. */
const NAMES: [string, string][] = [
  ['dotted.name', 'col.dot'],
  ['back\\slash', 'col\\slash'],
  ['back`tick', 'col`tick'],
  ['with space', 'col space'],
  ['per%cent_', 'col%_'],
  ["quo'te", 'dq"uote'],
  ['nön-äscii ü', 'spälte'],
  ['select', 'from'],
  ['t'.repeat(64), 'c'.repeat(64)],
];

beforeAll(async () => {
  db = await createTestDatabase('bnames');
  conn = await db.connector.connect();
  for (const [i, [table, column]] of NAMES.entries()) {
    await conn.execute(
      `CREATE TABLE ${qualify(db.database, table)} (id INT NOT NULL PRIMARY KEY, ${quoteId(column)} VARCHAR(20), KEY ${quoteId(`k${column}`.slice(0, 64))} (${quoteId(column)})) ENGINE=InnoDB`,
    );
    await conn.execute(`INSERT INTO ${qualify(db.database, table)} VALUES (1, ?), (2, NULL), (3, ?)`, [`v${i}`, 'x\ty']);
  }
  await runSync({
    pipeline: testPipeline(db, reportSchema()),
    reports: [],
  });
  parent = mkdtempSync(join(tmpdir(), 'dualpipe-bnames-'));
}, 120_000);

afterAll(async () => {
  await conn.close();
  await db.drop();
  rmSync(parent, { recursive: true, force: true });
});

describe('backup of awkward table and column names', () => {
  it('restores tables named with . \\ ` space % quotes non-ASCII, reserved words and 64 characters', async () => {
    const { dir } = await runBackup({ pipeline: testPipeline(db, reportSchema()), to: parent });
    const into = `${db.database}_r`;
    await runRestore({ connector: db.connector, from: dir, target: into });
    for (const [table] of NAMES) {
      expect({ table, rows: await exactRows(conn, into, table) }).toEqual({ table, rows: await exactRows(conn, db.database, table) });
    }
  }, 120_000);

  it('refuses at backup time what a restore would reject (a report schema named with a dot), writing no manifest', async () => {
    const dotted = `${db.database}.rep`;
    try {
      await runSync({ pipeline: testPipeline(db, dotted), reports: [], include: ['select'] });
      const to = join(parent, 'refused');
      await expect(runBackup({ pipeline: testPipeline(db, dotted), to })).rejects.toThrow(/\.rep \(a restore could not read it back: /);
      const written = existsSync(to) ? readdirSync(to).flatMap((d) => readdirSync(join(to, d))) : [];
      expect(written).not.toContain('manifest.json');
    } finally {
      await conn.execute(`DROP DATABASE IF EXISTS ${quoteId(dotted)}`);
    }
  }, 120_000);
});
