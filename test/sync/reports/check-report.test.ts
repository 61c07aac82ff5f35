/**
 * `dualpipe report check` against real mirrors: a bad report exits 2 with file:line, the report
 * schema is left exactly as it was, and the scratch table is gone afterwards, failure or not.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify } from '../../../src/db/quote.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';
import { createTestDatabase, type TestDatabase, testPipeline } from '../../helpers/test-database.js';

let db: TestDatabase;
let conn: SqlConnection;
let dir: string;
const rep = () => `${db.database}_report`;

const build = `-- Items per order
CREATE TABLE {{target}} (order_id INT NULL, n INT NOT NULL) ENGINE=MyISAM;
INSERT INTO {{target}} (order_id, n)
SELECT order_id, COUNT(*) FROM {{items}} GROUP BY order_id;
`;
const keyed = (keyCol: string) => `${build}-- @key ${keyCol}
-- @changes items i: i.order_id
-- @refresh
DELETE r FROM {{target}} AS r JOIN {{keys}} AS k ON r.order_id = k.order_id;
`;

async function reportSchemaState(): Promise<unknown> {
  return conn.query(`SELECT TABLE_NAME, TABLE_ROWS, CREATE_TIME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1`, [rep()]);
}

async function scratchLeft(): Promise<unknown[]> {
  return conn.query(`SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE '\\_\\_dp\\_check%'`, [`${rep()}__dualpipe`]);
}

function folder(name: string, files: Record<string, string>): string {
  const d = join(dir, name);
  mkdirSync(d);
  for (const [f, text] of Object.entries(files)) writeFileSync(join(d, f), text);
  return d;
}

beforeAll(async () => {
  db = await createTestDatabase('report_check');
  dir = mkdtempSync(join(tmpdir(), 'dp-rcheck-'));
  conn = await db.connector.connect();
  await conn.execute(`CREATE TABLE ${qualify(db.database, 'items')} (id INT PRIMARY KEY, order_id INT NULL) ENGINE=InnoDB`);
  await conn.execute(`INSERT INTO ${qualify(db.database, 'items')} VALUES (1, 7), (2, 7), (3, 8), (4, NULL)`);
  await runSync({ pipeline: testPipeline(db), reports: [] });
});

afterAll(async () => {
  await conn?.close();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('report check', () => {
  it('passes a good report and shows its EXPLAIN, as JSON too', async () => {
    const good = folder('good', { 'rpt_items.sql': build });
    const before = await reportSchemaState();
    const run = await runCliCapture(['report', 'check', '--json', '--reports-dir', good, '--source', db.url]);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { ok: boolean; reports: { report: string; ok: boolean; rows: number; explain: unknown[][] }[] };
    expect(out.ok).toBe(true);
    expect(out.reports).toMatchObject([{ report: 'rpt_items', ok: true, rows: 3 }]);
    expect(out.reports[0]!.explain.length).toBe(1);
    expect(out.reports[0]!.explain[0]!.length).toBeGreaterThan(0);
    expect(await reportSchemaState()).toEqual(before);
    expect(await scratchLeft()).toEqual([]);
  });

  it('fails a NULL @key, a duplicated @key, a failing statement and a missing mirror with file:line, exit 2', async () => {
    const cases: [string, string, RegExp][] = [
      ['nullkey', keyed('order_id'), /rpt_x\.sql:5: @key order_id is NULL in 1 row\(s\)/],
      ['dupkey', keyed('n'), /rpt_x\.sql:5: @key n is not unique: 1 duplicated key\(s\), e\.g\. 1 \(2×\)/],
      ['badsql', build.replace('COUNT(*)', 'COUNT(*'), /rpt_x\.sql:3: statement 2 failed: .*syntax/],
      ['nomirror', build.replace('{{items}}', '{{itemz}}'), /rpt_x\.sql:4: no mirror itemz in /],
    ];
    for (const [name, text, expected] of cases) {
      const d = folder(name, { 'rpt_x.sql': text.replace('{{keys}} AS k ON r.order_id = k.order_id', name === 'dupkey' ? '{{keys}} AS k ON r.n = k.n' : '{{keys}} AS k ON r.order_id = k.order_id') });
      const before = await reportSchemaState();
      const run = await runCliCapture(['report', 'check', 'x', '--reports-dir', d, '--source', db.url]);
      expect(run.code, `${name}: ${run.stderr}`).toBe(2);
      expect(run.stdout, name).toMatch(expected);
      expect(await reportSchemaState(), name).toEqual(before);
      expect(await scratchLeft(), name).toEqual([]);
    }
  });

  it('lints before it connects: a bad annotation names its file and line', async () => {
    const d = folder('lint', { 'rpt_y.sql': `${build}-- @chnges items i: i.order_id\n` });
    const run = await runCliCapture(['report', 'check', '--reports-dir', d, '--source', 'mysql://nobody@127.0.0.1:1/none']);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`${join(d, 'rpt_y.sql')}:5: unknown annotation @chnges`);
  });

  it('sync builds the folders given and refuses one table from two folders', async () => {
    const a = folder('sync_a', { 'rpt_items.sql': build });
    const b = folder('sync_b', { 'rpt_items.sql': build });
    const dup = await runCliCapture(['sync', '--reports-dir', a, '--reports-dir', b, '--source', db.url]);
    expect(dup.code).toBe(2);
    expect(dup.stderr).toContain(`two report files build rpt_items: ${join(a, 'rpt_items.sql')} and ${join(b, 'rpt_items.sql')}`);
    const ok = await runCliCapture(['sync', '--json', '--source', db.url], { DUALPIPE_REPORTS_DIR: a });
    expect(ok.code, ok.stderr).toBe(0);
    const r = JSON.parse(ok.stdout) as { reports: { name: string; rows: number }[]; skippedReports: unknown[] };
    expect(r.reports).toMatchObject([{ name: 'rpt_items', rows: 3 }]);
    expect(r.skippedReports).toEqual([]);
    const list = await runCliCapture(['report', 'list', '--json', '--reports-dir', a]);
    expect(JSON.parse(list.stdout)).toMatchObject({ ok: true, reports: [{ name: 'rpt_items', title: 'Items per order', folder: a, mirrors: ['items'], incremental: false }] });
    // Config folders are relative to the config file, whatever the working directory.
    mkdirSync(join(dir, 'cfg'));
    writeFileSync(join(dir, 'cfg', 'dp.json'), JSON.stringify({ reports: { dir: ['../sync_a'] } }));
    const cfg = await runCliCapture(['report', 'list', '--json', '--config', join(dir, 'cfg', 'dp.json')], {}, join(dir, 'lint'));
    expect(cfg.code, cfg.stderr).toBe(0);
    expect(JSON.parse(cfg.stdout)).toMatchObject({ reports: [{ name: 'rpt_items', folder: a }] });
  });
});
