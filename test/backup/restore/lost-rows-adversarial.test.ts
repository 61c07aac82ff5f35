/**
 * Adversarial checks of the promise of a replace restore: it never discards a row committed since
 * the backup without counting it (so that, without --yes, it refuses), and with --keep-lost every
 * discarded live row is kept. The oracle shares no code with the product: exactRows() pictures
 * each live table before and after the restore; the rows present before and gone after are the
 * discarded ones, and each must be in the --keep-lost schema.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../../backup/dump/run-backup.js';
import { describeLost } from '../../../backup/restore/count-lost-rows.js';
import { runRestore } from '../../../backup/restore/run-restore.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify, quoteId } from '../../../src/db/quote.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { exactRows } from '../../helpers/exact-rows.js';
import { createTestDatabase, type TestDatabase, testPipeline } from '../../helpers/test-database.js';

let db: TestDatabase;
let conn: SqlConnection;
let parent: string;
let dir: string;
const q = (t: string) => qualify(db.database, t);
const ODD = 'we`ird tåb';

/** Each table: its columns, the rows of the backup, and the writes after it. */
const TABLES: Record<string, { ddl: string; rows: string[]; after: string[] }> = {
  dbl: {
    ddl: 'id INT PRIMARY KEY, d DOUBLE',
    rows: ['(1, 1.0), (2, 0.1), (3, 1e300), (4, 123456789.12345678)'],
    after: ['UPDATE {t} SET d = 1.0000000000000002 WHERE id = 1', 'UPDATE {t} SET d = 0.10000000000000002 WHERE id = 2',
      'UPDATE {t} SET d = 1.0000000000000002e300 WHERE id = 3', 'UPDATE {t} SET d = 123456789.12345679 WHERE id = 4'],
  },
  flt: { ddl: 'id INT PRIMARY KEY, f FLOAT', rows: ['(1, 1.0), (2, 16777215)'], after: ['UPDATE {t} SET f = 1.00000012 WHERE id = 1', 'UPDATE {t} SET f = 16777214 WHERE id = 2'] },
  ci: {
    ddl: 'k VARCHAR(10) COLLATE utf8mb4_general_ci PRIMARY KEY, v INT',
    rows: ["('a', 1), ('b', 2), ('c', 3)"],
    after: ["UPDATE {t} SET k = 'A' WHERE k = 'a'", "UPDATE {t} SET k = 'b ' WHERE k = 'b'", "DELETE FROM {t} WHERE k = 'c'", "INSERT INTO {t} VALUES ('C', 3)"],
  },
  comp: {
    ddl: 'a INT, b VARCHAR(5) COLLATE utf8mb4_bin, v VARCHAR(20), PRIMARY KEY (a, b)',
    rows: ["(1, 'x', 'one'), (1, 'y', 'two'), (2, 'x', 'three')"],
    after: ["UPDATE {t} SET v = 'one' WHERE a = 1 AND b = 'x'", "DELETE FROM {t} WHERE a = 1 AND b = 'y'", "INSERT INTO {t} VALUES (1, 'y', 'two')",
      "INSERT INTO {t} VALUES (1, 'X', 'new')", "UPDATE {t} SET v = 'three!' WHERE a = 2"],
  },
  uk: { ddl: 'u INT NOT NULL, v INT, UNIQUE KEY (u)', rows: ['(1, 1), (2, 2)'], after: ['UPDATE {t} SET v = 20 WHERE u = 2', 'INSERT INTO {t} VALUES (3, 3)'] },
  nul: {
    ddl: "id INT PRIMARY KEY, s VARCHAR(10), b BLOB, j JSON, t TEXT",
    rows: ["(1, NULL, NULL, NULL, NULL), (2, '', X'', '{}', ''), (3, 'N', X'4E', '[1]', 'N'), (4, 'a#b', X'00', '{\"a\": 1}', 'x')"],
    after: ["UPDATE {t} SET s = '', b = X'', j = '{}', t = '' WHERE id = 1", 'UPDATE {t} SET s = NULL, b = NULL, j = NULL, t = NULL WHERE id = 2',
      "UPDATE {t} SET s = NULL WHERE id = 3", "UPDATE {t} SET j = '{\"a\": 1.0}' WHERE id = 4"],
  },
  gen: { ddl: 'id INT PRIMARY KEY, a INT, g INT AS (a * 2) STORED, w INT AS (a + 1) VIRTUAL', rows: ['(1, 1, DEFAULT, DEFAULT)'], after: ['UPDATE {t} SET a = 5 WHERE id = 1'] },
  [ODD]: { ddl: 'id INT PRIMARY KEY, `c``ol 1 ü` VARCHAR(10)', rows: ["(1, 'x')"], after: ["UPDATE {t} SET `c``ol 1 ü` = 'y' WHERE id = 1", "INSERT INTO {t} VALUES (2, 'z')"] },
  tim: {
    ddl: 'id INT PRIMARY KEY, ts TIMESTAMP(6) NULL, dt DATETIME(6), tm TIME(6), dc DECIMAL(65,30), bt BIT(64)',
    rows: ["(1, '2024-01-01 00:00:00.000001', '2024-01-01 00:00:00.000001', '00:00:00.000001', 1.000000000000000000000000000001, b'1')"],
    after: ["UPDATE {t} SET ts = '2024-01-01 00:00:00.000002' WHERE id = 1", "INSERT INTO {t} VALUES (2, NULL, NULL, NULL, NULL, NULL)"],
  },
  // InnoDB at the backup, moved to MyISAM since: still a live table the restore replaces.
  eng: { ddl: 'id INT PRIMARY KEY, v INT', rows: ['(1, 1), (2, 2)'], after: ['ALTER TABLE {t} ENGINE=MyISAM', 'UPDATE {t} SET v = 20 WHERE id = 2', 'INSERT INTO {t} VALUES (3, 3)'] },
  // An INVISIBLE column (MySQL 8.0.23+, MariaDB 10.3+): SELECT * leaves it out, the row still holds it.
  inv: { ddl: 'id INT PRIMARY KEY, v INT, h INT INVISIBLE', rows: ['(1, 1), (2, 2)'], after: ['UPDATE {t} SET h = 7 WHERE id = 1'] },
  par: { ddl: 'id INT PRIMARY KEY, v INT', rows: ['(1, 1), (2, 2)'], after: ['DELETE FROM {t} WHERE id = 1', 'UPDATE {t} SET v = 22 WHERE id = 2'] },
  chi: {
    ddl: 'id INT PRIMARY KEY, p INT NOT NULL, v INT, FOREIGN KEY (p) REFERENCES par (id) ON DELETE CASCADE',
    rows: ['(1, 1, 1), (2, 2, 2)'],
    after: ['INSERT INTO {t} VALUES (3, 2, 3)'],
  },
};

function sql(template: string, table: string): string {
  return template.replaceAll('{t}', q(table));
}

/** The multiset difference before − after of rows pictured exactly (JSON of each row). */
function gone(before: (string | null)[][], after: (string | null)[][]): string[] {
  const left = new Map<string, number>();
  for (const r of after) left.set(JSON.stringify(r), (left.get(JSON.stringify(r)) ?? 0) + 1);
  const out: string[] = [];
  for (const r of before) {
    const k = JSON.stringify(r);
    const n = left.get(k) ?? 0;
    if (n > 0) left.set(k, n - 1);
    else out.push(k);
  }
  return out;
}

beforeAll(async () => {
  db = await createTestDatabase('lostadv');
  conn = await db.connector.connect();
  for (const [name, t] of Object.entries(TABLES)) {
    await conn.execute(`CREATE TABLE ${q(name)} (${t.ddl}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
    for (const r of t.rows) await conn.execute(`INSERT INTO ${q(name)} VALUES ${r}`);
  }
  await runSync({ pipeline: testPipeline(db), reports: [] });
  parent = mkdtempSync(join(tmpdir(), 'dp-lostadv-'));
  dir = (await runBackup({ pipeline: testPipeline(db), to: parent })).dir;
  for (const [name, t] of Object.entries(TABLES)) for (const s of t.after) await conn.execute(sql(s, name));
  // A table the backup does not hold, added since.
  await conn.execute(`CREATE TABLE ${q('newt')} (id INT PRIMARY KEY) ENGINE=InnoDB`);
  await conn.execute(`INSERT INTO ${q('newt')} VALUES (1), (2)`);
}, 180_000);

afterAll(async () => {
  for (const s of [`${db.database}_keep`]) await conn.execute(`DROP DATABASE IF EXISTS ${quoteId(s)}`);
  await conn.close();
  await db.drop();
  rmSync(parent, { recursive: true, force: true });
});

describe('restore: adversarial rows written since the backup', () => {
  for (const group of [['dbl'], ['flt'], ['ci'], ['comp'], ['uk'], ['nul'], ['gen'], [ODD], ['tim'], ['eng'], ['inv'], ['par', 'chi']])
    it(`without --yes a restore of ${group.join(', ')} (each changed since the backup) refuses and changes nothing`, async () => {
      const before = await Promise.all(group.map((t) => exactRows(conn, db.database, t)));
      await expect(runRestore({ connector: db.connector, from: dir, target: db.database, tables: group, lostRows: 'refuse' })).rejects.toThrow(/refusing without --yes/);
      expect(await Promise.all(group.map((t) => exactRows(conn, db.database, t)))).toEqual(before);
    }, 60_000);

  it('with --yes --keep-lost every discarded live row is counted and kept; a table added since stays', async () => {
    const names = [...Object.keys(TABLES), 'newt'];
    const before = new Map(await Promise.all(names.map(async (t) => [t, await exactRows(conn, db.database, t)] as const)));
    const keep = `${db.database}_keep`;
    const r = await runRestore({ connector: db.connector, from: dir, target: db.database, keepLost: keep, lostRows: 'discard' });
    const problems: string[] = [];
    for (const t of names) {
      const lost = gone(before.get(t)!, await exactRows(conn, db.database, t));
      if (!lost.length) continue;
      const counted = r.lostRows?.tables.find((x) => x.table === t);
      const unknown = r.lostRows?.unknown.some((u) => u.table === t);
      if (!unknown && (counted?.added ?? 0) + (counted?.changed ?? 0) < lost.length)
        problems.push(`${t}: ${lost.length} live row(s) discarded, counted ${JSON.stringify(counted ?? null)}: ${lost.join(' ')}`);
      const held = (await conn.query('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [keep, t])).length
        ? (await exactRows(conn, keep, t)).map((x) => JSON.stringify(x))
        : [];
      const missing = lost.filter((x) => !held.includes(x));
      if (missing.length) problems.push(`${t}: discarded and not kept: ${missing.join(' ')}`);
    }
    expect(problems).toEqual([]);
  }, 120_000);
});

describe('restore: a writer that commits while the swap waits for it', () => {
  it('its rows are not silently discarded: the result names the table and says where the rows are', async () => {
    const race = await createTestDatabase('lostrace');
    const c = await race.connector.connect();
    const w = await race.connector.connect();
    const t = qualify(race.database, 't');
    const work = mkdtempSync(join(tmpdir(), 'dp-lostrace-'));
    try {
      await c.execute(`CREATE TABLE ${t} (id INT PRIMARY KEY, v INT) ENGINE=InnoDB`);
      await c.execute(`INSERT INTO ${t} VALUES (1, 1)`);
      await runSync({ pipeline: testPipeline(race), reports: [] });
      const from = (await runBackup({ pipeline: testPipeline(race), to: work })).dir;
      // An open transaction holds the table's metadata lock: the count cannot see its row, and the
      // RENAME waits for it. It commits once the restore is past the count (the previous schema is made).
      await w.execute('BEGIN');
      await w.execute(`INSERT INTO ${t} VALUES (99, 99)`);
      const restore = runRestore({ connector: race.connector, from, target: race.database, lostRows: 'refuse' });
      const previous = `${race.database}__dp_previous`;
      while (!(await c.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [previous])).length) await sleep(20);
      await sleep(200);
      await w.execute('COMMIT');
      const r = await restore;
      expect(await c.query(`SELECT id FROM ${t} ORDER BY id`)).toEqual([{ id: 1 }]);
      expect(await c.query(`SELECT id FROM ${qualify(previous, 't')} ORDER BY id`)).toEqual([{ id: 1 }, { id: 99 }]);
      expect(r.lostRows).toMatchObject({ method: 'compared', rows: 0, changedDuringSwap: ['t'] });
      expect(describeLost(r.lostRows!, 'backup')).toContain('rows of t were committed after the count, while the swap waited');
    } finally {
      await w.close();
      await c.close();
      await race.drop();
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);
});
