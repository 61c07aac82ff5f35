/**
 * Report relevance (report-columns.ts, relevant-keys.ts), the holes an adversarial review found:
 * a select-list `*` after a comment read as naming no column, and an ENUM's error value '' taken
 * for its member '' (same text and bytes, another number). After each change, an incremental run
 * (the refresh path) and the next one (the copy from the live set) must leave the report equal to
 * its SQL built from scratch over the source. Both failed before the fix, on MariaDB and MySQL.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify } from '../../../src/db/quote.js';
import { installCapture } from '../../../sync/capture/capture.js';
import { runSync, type SyncOptions } from '../../../sync/full/run-sync.js';
import { runIncrementalSync } from '../../../sync/incremental/run-incremental.js';
import { readsUnnamedColumns } from '../../../sync/reports/report-columns.js';
import { loadReportDefinitions } from '../../../sync/reports/report-definitions.js';
import { reportsFromScratch } from '../../helpers/reports-from-scratch.js';
import { createTestDatabase, type TestDatabase, testPipeline } from '../../helpers/test-database.js';

/** A select-list star after a comment: every column of pets read, only `id` named. */
const starReport = `-- Pets, every column
CREATE TABLE {{target}} (id INT NOT NULL PRIMARY KEY, label VARCHAR(60) NULL) ENGINE=MyISAM DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

INSERT INTO {{target}}
SELECT -- every column of the pet, in order
  *
FROM {{pets}};

-- @key id
-- @changes pets p: p.id
-- @refresh
INSERT INTO {{target}} SELECT /* every column */ * FROM {{pets}} AS p WHERE p.id IN (SELECT k.id FROM {{keys}} AS k);
`;

/** ENUM in a numeric context: '' as a member and '' as the error value. */
const enumReport = `-- Grades as numbers
CREATE TABLE {{target}} (id INT NOT NULL PRIMARY KEY, rank_no INT NULL) ENGINE=MyISAM;

INSERT INTO {{target}} SELECT f.id, f.grade + 0 FROM {{flagged}} AS f;

-- @key id
-- @changes flagged f: f.id
-- @refresh
INSERT INTO {{target}} SELECT f.id, f.grade + 0 FROM {{keys}} AS k JOIN {{flagged}} AS f ON f.id = k.id;
`;

describe('report-columns: reads the text cannot see (pure)', () => {
  it.each([
    ['a -- comment before the star', 'INSERT INTO t SELECT -- all of it\n * FROM p'],
    ['a block comment before the star', 'INSERT INTO t SELECT /* every column */ * FROM p'],
    ['an optimizer hint before the star', 'INSERT INTO t SELECT /*+ NO_ICP(p) */ * FROM p'],
    ['a # comment before the star', 'INSERT INTO t SELECT # every column\n * FROM p'],
    ['TABLE without a space (MySQL)', 'INSERT INTO t TABLE{{pets}}'],
    ['TABLE after a comment (MySQL)', 'INSERT INTO t TABLE /* the mirror */ {{pets}}'],
    ['a string holding -- before the star', "INSERT INTO t SELECT 'a -- b', * FROM p"],
    ['a star in an executable comment', 'INSERT INTO t SELECT /*!50001 * */ FROM p'],
  ])('%s reads every column', (_label, sql) => {
    expect(readsUnnamedColumns(sql)).toBe(true);
  });

  it.each([
    ['a star inside a string', "INSERT INTO t SELECT p.id, '*' FROM p"],
    ['a star inside a comment', 'INSERT INTO t SELECT /* not * this */ p.id FROM p'],
    ['a product after a comment', 'INSERT INTO t SELECT p.a /* times */ * p.b FROM p'],
  ])('%s does not', (_label, sql) => {
    expect(readsUnnamedColumns(sql)).toBe(false);
  });
});

describe('report relevance on the server: a report row follows every change it shows', () => {
  let db: TestDatabase;
  let conn: SqlConnection;
  let dir: string;
  let options: SyncOptions;

  beforeAll(async () => {
    db = await createTestDatabase('rel_regress');
    dir = mkdtempSync(join(tmpdir(), 'dp-relreg-'));
    conn = await db.connector.connect({ database: db.database });
    await conn.execute("SET SESSION sql_mode = ''"); // lets an ENUM take its error value
    await conn.execute('CREATE TABLE pets (id INT NOT NULL PRIMARY KEY, petname VARCHAR(60) NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci');
    await conn.execute("INSERT INTO pets VALUES (1, 'Rex'), (2, 'Tom'), (3, 'Kit'), (4, 'Bo')");
    await conn.execute("CREATE TABLE flagged (id INT NOT NULL PRIMARY KEY, grade ENUM('', 'a') NULL) ENGINE=InnoDB");
    await conn.execute("INSERT INTO flagged VALUES (1, ''), (2, ''), (3, 'a'), (4, 'a')");
    writeFileSync(join(dir, 'rpt_atk_star.sql'), starReport);
    writeFileSync(join(dir, 'rpt_atk_enum.sql'), enumReport);
    await installCapture(conn, db.database);
    options = { pipeline: testPipeline(db), reportSet: { dirs: [dir] } };
    await runSync(options);
    expect((await runIncrementalSync(options)).cost?.primedShadow).toBe(true);
  });

  afterAll(async () => {
    await conn?.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const rows = (schema: string, table: string) => conn.query(`SELECT * FROM ${qualify(schema, table)} ORDER BY 1`);

  /** Two incremental runs (refresh on the shadow set, then the other copy from the live set); after each the report equals its SQL from scratch. */
  async function expectFollows(report: string, label: string): Promise<void> {
    for (const run of ['refresh', 'copy from live']) {
      const r = await runIncrementalSync(options);
      expect(r.fullSyncReason, 'ran incrementally').toBeUndefined();
      await reportsFromScratch(db.connector, db.database, `${db.database}_scratch`, loadReportDefinitions(dir));
      const [got, want] = [await rows(`${db.database}_report`, report), await rows(`${db.database}_scratch`, report)];
      expect(got, `${label}, ${run}: ${report} (report keys ${r.cost?.reportKeys})`).toEqual(want);
    }
  }

  it('a star after a comment: a renamed pet', async () => {
    await conn.execute("UPDATE pets SET petname = 'Renamed' WHERE id = 1");
    await expectFollows('rpt_atk_star', 'petname changed');
    expect(await rows(`${db.database}_report`, 'pets'), 'the mirror took it').toEqual(await rows(db.database, 'pets'));
  });

  it("ENUM: the error value '' for the member ''", async () => {
    await conn.execute("UPDATE flagged SET grade = 'nope' WHERE id = 2"); // the error value (0) for the member '' (1)
    const [g] = await conn.query<{ n: number }>('SELECT grade + 0 AS n FROM flagged WHERE id = 2');
    expect(Number(g!.n)).toBe(0);
    await expectFollows('rpt_atk_enum', 'grade changed');
    const sql = (t: string) => `SELECT id, grade + 0 AS rank_no FROM ${t} ORDER BY id`;
    expect(await conn.query(sql(qualify(`${db.database}_report`, 'flagged'))), 'the mirror took it').toEqual(await conn.query(sql('flagged')));
  });
});
