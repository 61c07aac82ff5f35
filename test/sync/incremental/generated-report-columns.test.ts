/**
 * A user's reports with generated columns (VIRTUAL and STORED, a STORED one indexed), refreshed by
 * key: in place (the key is the only unique index), by delete-and-insert (a second UNIQUE index,
 * over a STORED generated column), keyed by a NOT NULL date that holds '0000-00-00', and keyed by a
 * generated column (rebuilt whole: the refresh's stage cannot be keyed by it). Runs go through the
 * refresh (stage, diff, merge) and, on the next run, through the copy of untouched rows from the
 * live set; after each, every report must equal the one its own SQL builds from scratch over the
 * source (reports-from-scratch.ts; no incremental code involved).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { type Logger, silentLogger } from '../../../src/log/logger.js';
import { installCapture } from '../../../sync/capture/capture.js';
import { runSync, type SyncOptions } from '../../../sync/full/run-sync.js';
import { type IncrementalResult, runIncrementalSync } from '../../../sync/incremental/run-incremental.js';
import { loadReportDefinitions } from '../../../sync/reports/report-definitions.js';
import { reportsFromScratch } from '../../helpers/reports-from-scratch.js';
import { schemaDigest } from '../../helpers/table-digest.js';
import { createTestDatabase, type TestDatabase, testPipeline } from '../../helpers/test-database.js';

/** A report per person; `unique` adds a second UNIQUE index (over a generated column). */
const perPerson = (unique: boolean) => `-- People with their team and points, and columns the server generates
CREATE TABLE {{target}} (
  person_id INT NOT NULL,
  first_name VARCHAR(100) NOT NULL,
  last_name VARCHAR(100) NOT NULL,
  full_name VARCHAR(201) AS (CONCAT(first_name, ' ', last_name)) VIRTUAL,
  team_name VARCHAR(50) NULL,
  points INT NOT NULL,
  band INT AS (points DIV 10) STORED,
  handle VARCHAR(120) AS (CONCAT(LOWER(last_name), '.', person_id)) STORED,
  PRIMARY KEY (person_id),
  KEY ix_band (band)${unique ? ',\n  UNIQUE KEY ux_handle (handle)' : ''}
) ENGINE=MyISAM DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

INSERT INTO {{target}} (person_id, first_name, last_name, team_name, points)
SELECT p.id, p.first_name, p.last_name, t.name, COALESCE(SUM(s.points), 0)
FROM {{people}} AS p LEFT JOIN {{teams}} AS t ON t.id = p.team_id LEFT JOIN {{scores}} AS s ON s.person_id = p.id
GROUP BY p.id, p.first_name, p.last_name, t.name;

-- @key person_id
-- @changes people p: p.id
-- @changes scores s: s.person_id
-- @changes teams: SELECT p.id FROM {{people}} AS p JOIN {{changed}} AS x ON p.team_id = x.id
-- @refresh
DELETE r FROM {{target}} AS r JOIN {{keys}} AS k ON r.person_id = k.person_id;

INSERT INTO {{target}} (person_id, first_name, last_name, team_name, points)
SELECT p.id, p.first_name, p.last_name, t.name, COALESCE(SUM(s.points), 0)
FROM {{keys}} AS k JOIN {{people}} AS p ON p.id = k.person_id
LEFT JOIN {{teams}} AS t ON t.id = p.team_id LEFT JOIN {{scores}} AS s ON s.person_id = p.id
GROUP BY p.id, p.first_name, p.last_name, t.name;
`;

/** A report per day joined; the day of people without one is '0000-00-00'. */
const byDay = `-- People and points by the day they joined
CREATE TABLE {{target}} (
  joined DATE NOT NULL,
  people INT NOT NULL,
  points INT NOT NULL,
  per_person DECIMAL(14,4) AS (points / people) VIRTUAL,
  joined_year INT AS (YEAR(joined)) STORED,
  PRIMARY KEY (joined),
  KEY ix_year (joined_year)
) ENGINE=MyISAM DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

INSERT INTO {{target}} (joined, people, points)
SELECT p.joined, COUNT(*), COALESCE(SUM((SELECT SUM(s.points) FROM {{scores}} AS s WHERE s.person_id = p.id)), 0)
FROM {{people}} AS p GROUP BY p.joined;

-- @key joined
-- @changes people p: p.joined
-- @changes scores: SELECT p.joined FROM {{people}} AS p JOIN {{scores}} AS s ON s.person_id = p.id JOIN {{changed}} AS x ON x.id = s.id
-- @refresh
DELETE r FROM {{target}} AS r JOIN {{keys}} AS k ON r.joined = k.joined;

INSERT INTO {{target}} (joined, people, points)
SELECT p.joined, COUNT(*), COALESCE(SUM((SELECT SUM(s.points) FROM {{scores}} AS s WHERE s.person_id = p.id)), 0)
FROM {{keys}} AS k JOIN {{people}} AS p ON p.joined = k.joined GROUP BY p.joined;
`;

/** Keyed by a column the server generates, which the stage of a refresh cannot be keyed by: rebuilt whole. */
const byGeneratedKey = `-- People by a code the server generates
CREATE TABLE {{target}} (
  person_id INT NOT NULL,
  last_name VARCHAR(100) NOT NULL,
  code VARCHAR(20) AS (CONCAT('P', person_id)) STORED,
  UNIQUE KEY ux_code (code)
) ENGINE=MyISAM DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

INSERT INTO {{target}} (person_id, last_name) SELECT p.id, p.last_name FROM {{people}} AS p;

-- @key code
-- @changes people p: CONCAT('P', p.id)
-- @refresh
DELETE r FROM {{target}} AS r JOIN {{keys}} AS k ON r.code = k.code;

INSERT INTO {{target}} (person_id, last_name) SELECT p.id, p.last_name FROM {{keys}} AS k JOIN {{people}} AS p ON CONCAT('P', p.id) = k.code;
`;

const REPORTS = ['rpt_gen_by_day', 'rpt_gen_in_place', 'rpt_gen_keyed', 'rpt_gen_unique'];

let db: TestDatabase;
let conn: SqlConnection;
let dir: string;
let options: SyncOptions;
/** What each report's refresh last wrote (its debug line): rows deleted, updated in place, inserted. */
const rewritten = new Map<string, { deleted: number; updated: number; inserted: number }>();
const logger: Logger = {
  ...silentLogger,
  debug(obj, msg) {
    if (typeof obj !== 'object' || !msg?.endsWith(' rows rewritten')) return;
    const { report, deleted, updated, inserted } = obj as { report: string; deleted: number; updated: number; inserted: number };
    rewritten.set(report, { deleted, updated, inserted });
  },
};

beforeAll(async () => {
  db = await createTestDatabase('gen_report');
  dir = mkdtempSync(join(tmpdir(), 'dp-genrep-'));
  writeFileSync(join(dir, 'rpt_gen_in_place.sql'), perPerson(false));
  writeFileSync(join(dir, 'rpt_gen_unique.sql'), perPerson(true));
  writeFileSync(join(dir, 'rpt_gen_by_day.sql'), byDay);
  writeFileSync(join(dir, 'rpt_gen_keyed.sql'), byGeneratedKey);
  conn = await db.connector.connect({ database: db.database });
  await conn.execute("SET SESSION sql_mode = ''"); // zero dates
  await conn.execute('CREATE TABLE teams (id INT NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL) ENGINE=InnoDB');
  await conn.execute(
    'CREATE TABLE people (id INT NOT NULL PRIMARY KEY, team_id INT NULL, first_name VARCHAR(100) NOT NULL, last_name VARCHAR(100) NOT NULL, joined DATE NOT NULL) ENGINE=InnoDB',
  );
  await conn.execute('CREATE TABLE scores (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, person_id INT NOT NULL, points INT NOT NULL) ENGINE=InnoDB');
  for (let t = 1; t <= 10; t++) await conn.execute('INSERT INTO teams VALUES (?, ?)', [t, `Team ${t}`]);
  for (let p = 1; p <= 200; p++) {
    const joined = p % 13 === 0 ? "'0000-00-00'" : `'2024-01-01' + INTERVAL ${p % 40} DAY`;
    await conn.execute(`INSERT INTO people VALUES (?, ?, ?, ?, ${joined})`, [p, (p % 10) + 1, `First${p}`, `Last${p % 17}`]);
    await conn.execute('INSERT INTO scores (person_id, points) VALUES (?, ?), (?, ?)', [p, (p * 7) % 50, p, (p * 3) % 20]);
  }
  await installCapture(conn, db.database);
  options = { pipeline: testPipeline(db), reportSet: { dirs: [dir] }, logger };
});

afterAll(async () => {
  await conn?.close();
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Every report equals the one its SQL builds from scratch over the source (generated values included). */
async function expectExact(label: string): Promise<void> {
  await reportsFromScratch(db.connector, db.database, `${db.database}_scratch`, loadReportDefinitions(dir));
  const expected = await schemaDigest(conn, `${db.database}_scratch`, REPORTS);
  expect(await schemaDigest(conn, `${db.database}_report`, REPORTS), `${label}: reports`).toEqual(expected);
}

/** An incremental run; only rpt_gen_keyed is rebuilt, when it has keys to recompute (`keyed`). */
async function incremental(keyed: boolean): Promise<IncrementalResult> {
  rewritten.clear();
  const r = await runIncrementalSync(options);
  expect(r.fullSyncReason, 'ran incrementally').toBeUndefined();
  expect(r.cost?.reportsRebuilt, 'refreshed by key, but rpt_gen_keyed when it has keys to recompute').toBe(keyed ? 1 : 0);
  return r;
}

describe('reports with generated columns, incrementally', () => {
  it('are refreshed by key (in place, delete-and-insert, zero-date key) and copied from the live set, equal to a rebuild', async () => {
    const full = await runSync(options);
    expect(full.reports.map((r) => r.name)).toEqual(REPORTS);
    await expectExact('full sync');
    expect((await incremental(false)).cost?.primedShadow).toBe(true);

    // Run 2: refreshed on the shadow set (the stage, the diff, the merge).
    await conn.execute("UPDATE people SET first_name = 'Renamed', last_name = 'Moved' WHERE id = 5"); // full_name, handle
    await conn.execute('INSERT INTO scores (person_id, points) VALUES (6, 95), (26, 7)'); // points, band; 26 joined on the zero date
    await conn.execute("UPDATE teams SET name = 'Team Three' WHERE id = 3"); // found through a @changes query
    await conn.execute('DELETE FROM people WHERE id = 7');
    await conn.execute("INSERT INTO people VALUES (201, 2, 'New', 'Person', '0000-00-00')");
    await conn.execute("UPDATE people SET joined = '0000-00-00' WHERE id = 8"); // a key of the per-person reports, their row unchanged
    const r2 = await incremental(true);
    expect(r2.cost?.reportKeys).toBeGreaterThan(0);
    // Only rows that differ are written: 23 changed (people 5, 6, 26 and team 3's 20), 7 gone, 201 new; 8 unchanged.
    expect(rewritten.get('rpt_gen_in_place')).toEqual({ deleted: 1, updated: 23, inserted: 1 });
    expect(rewritten.get('rpt_gen_unique')).toEqual({ deleted: 24, updated: 0, inserted: 24 });
    await expectExact('run 2');

    // Run 3: run 2's keys are journal keys now; those no change of this run touches are copied
    // from the live reports, the others (person 5 again, the zero date again) recomputed.
    await conn.execute("UPDATE people SET first_name = 'Again' WHERE id = 5");
    await conn.execute('INSERT INTO scores (person_id, points) VALUES (39, 12)'); // 39 joined on the zero date
    await conn.execute("UPDATE people SET last_name = 'Other' WHERE id = 9");
    const r3 = await incremental(true);
    expect(r3.cost?.reportKeysFromLive, 'report rows copied from the live set').toBeGreaterThan(0);
    await expectExact('run 3');

    // Run 4: nothing new; run 3's keys come from the live set.
    const r4 = await incremental(false); // rpt_gen_keyed's rows too
    expect(r4.cost?.changeLogRows).toBe(0);
    expect(r4.cost?.reportKeysFromLive).toBeGreaterThan(0);
    await expectExact('run 4');

    // Still generated by the server, not plain columns.
    const extra = await conn.query<{ c: string; e: string }>(
      `SELECT COLUMN_NAME AS c, EXTRA AS e FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'rpt_gen_unique' AND EXTRA LIKE '%GENERATED%' ORDER BY ORDINAL_POSITION`,
      [`${db.database}_report`],
    );
    expect(extra.map((x) => [x.c, x.e.toUpperCase().replace(/\s+/g, ' ').trim()])).toEqual([
      ['full_name', 'VIRTUAL GENERATED'],
      ['band', 'STORED GENERATED'],
      ['handle', 'STORED GENERATED'],
    ]);
  });
});
