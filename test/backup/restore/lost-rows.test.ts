/**
 * Rows written since the backup (or the last sync) that a replace restore discards: counted in the
 * dry run and before the swap, refused without --yes (nothing changed), kept with --keep-lost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../../backup/dump/run-backup.js';
import { restoreFromMirrors } from '../../../backup/restore/restore-from-mirrors.js';
import { runRestore } from '../../../backup/restore/run-restore.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify, quoteId } from '../../../src/db/quote.js';
import { recentRuns } from '../../../src/history/run-history.js';
import { installCapture, removeCapture } from '../../../sync/capture/capture.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';
import { schemaDigest } from '../../helpers/table-digest.js';

let fx: CrmFixture;
let conn: SqlConnection;
let parent: string;
let dir: string;
const keeps: string[] = [];

interface Lost {
  method: string;
  rows: number;
  tables: { table: string; rows: number }[];
  note?: string;
}

beforeAll(async () => {
  fx = await createCrmFixture('lostrows', 0.01);
  conn = await fx.connector.connect();
  await installCapture(conn, fx.database);
  await runSync({ pipeline: fx.pipeline });
  parent = mkdtempSync(join(tmpdir(), 'dp-lost-'));
  dir = (await runBackup({ pipeline: fx.pipeline, to: parent })).dir;
});

afterAll(async () => {
  for (const k of keeps) await conn.execute(`DROP DATABASE IF EXISTS ${quoteId(k)}`);
  await conn.close();
  await fx.drop();
  rmSync(parent, { recursive: true, force: true });
});

/** A writer after the backup: inserts, updates and deletes; returns the rows each table changed. */
async function write(round: number): Promise<{ added: number; deleted: number; updated: number; total: number }> {
  const tags = qualify(fx.database, 'contact_tags');
  const added = (await conn.execute(`INSERT INTO ${tags} (contact_id, tag, added_at) SELECT id, 'lost-${round}', NOW(6) FROM ${qualify(fx.database, 'contacts')} WHERE id % 5 = 0`)).affectedRows;
  const deleted = (await conn.execute(`DELETE FROM ${tags} WHERE tag NOT LIKE 'lost-%' AND contact_id % 7 = ${round}`)).affectedRows;
  const updated = (await conn.execute(`UPDATE ${qualify(fx.database, 'organizations')} SET name = CONCAT(name, '+') WHERE id % 3 = ${round % 3}`)).affectedRows;
  expect(added * deleted * updated).toBeGreaterThan(0);
  return { added, deleted, updated, total: added + deleted + updated };
}

function expectLost(lost: Lost, w: { added: number; deleted: number; updated: number; total: number }, method: string): void {
  expect(lost.method).toBe(method);
  expect(lost.rows).toBe(w.total);
  expect(lost.tables).toEqual([
    expect.objectContaining({ table: 'contact_tags', rows: w.added + w.deleted }),
    expect.objectContaining({ table: 'organizations', rows: w.updated }),
  ]);
}

/** Without --yes: one line, exit 2, the live tables as they were, no keep schema, no staging left. */
async function expectRefused(args: string[], said: string, keep: string): Promise<void> {
  const before = await schemaDigest(conn, fx.database, fx.tables);
  const r = await runCliCapture(['restore', '--source', fx.url, ...args, '--keep-lost', keep]);
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n').filter((l) => /refusing without/.test(l));
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toContain(said);
  await expectUnchanged(before, keep);
}

async function expectUnchanged(before: Record<string, string>, keep: string): Promise<void> {
  expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(before);
  const schemas = await conn.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (?, ?)', [keep, `${fx.database}__dp_restore`]);
  expect(schemas).toEqual([]);
}

/** With --yes --keep-lost: restored to `expected`; the inserted and updated rows are in the keep schema. */
async function expectKept(args: string[], w: { added: number; updated: number; total: number }, round: number, keep: string, expected: Record<string, string>): Promise<void> {
  keeps.push(keep);
  const r = await runCliCapture(['restore', '--source', fx.url, ...args, '--yes', '--keep-lost', keep, '--json']);
  expect(r.code, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as { lostRows: Lost; keptLost: { schema: string; tables: { table: string; rows: number }[] } };
  expect(out.lostRows.method).toBe('compared');
  expect(out.lostRows.rows).toBe(w.total);
  expect(out.keptLost.tables).toEqual([
    { table: 'contact_tags', rows: w.added, whole: false },
    { table: 'organizations', rows: w.updated, whole: false },
  ]);
  expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(expected);
  const tags = await conn.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${qualify(keep, 'contact_tags')} WHERE tag = 'lost-${round}'`);
  expect(Number(tags[0]!.n)).toBe(w.added);
  const orgs = await conn.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${qualify(keep, 'organizations')} WHERE name LIKE '%+' AND id % 3 = ${round % 3}`);
  expect(Number(orgs[0]!.n)).toBe(w.updated);
  const engines = await conn.query<{ e: string }>('SELECT DISTINCT ENGINE AS e FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [keep]);
  expect(engines).toEqual([{ e: 'InnoDB' }]);
  // The run history says what was discarded and where it was kept.
  const run = (await recentRuns(conn, fx.reportSchema, 20)).find((x) => x.kind === 'restore');
  expect(run?.details).toMatchObject({ discarded: w.total, keptIn: keep });
}

describe('restore: rows written since the backup', () => {
  it('from a backup: the dry run counts them from the change log, no --yes refuses, --yes --keep-lost keeps them', async () => {
    const backup = await schemaDigest(conn, fx.reportSchema, fx.tables);
    const w = await write(1);
    const dry = await runCliCapture(['restore', '--source', fx.url, '--from', dir, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expectLost((JSON.parse(dry.stdout) as { lostRows: Lost }).lostRows, w, 'change-log');
    const text = await runCliCapture(['restore', '--source', fx.url, '--from', dir, '--dry-run']);
    expect(text.stdout).toContain(`${w.total} row(s) in 2 table(s) written since the backup will be discarded: contact_tags (${w.added + w.deleted}), organizations (${w.updated})`);
    await expectRefused(['--from', dir], `${w.total} row(s) in 2 table(s) written since the backup will be discarded`, `${fx.database}_keep1`);
    await expectKept(['--from', dir], w, 1, `${fx.database}_keep1`, backup);
    // The keep schema now holds those tables: a second restore keeping into it is refused up front.
    const again = await runCliCapture(['restore', '--source', fx.url, '--from', dir, '--yes', '--keep-lost', `${fx.database}_keep1`]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--keep-lost: \S+_keep1 already holds contact_tags, organizations/);
  });

  it('--from-mirrors: the dry run counts the changes pending in capture, no --yes refuses, --yes --keep-lost keeps them', async () => {
    // The restore reinstalled capture: a sync after it makes the log reach back to the mirrors again.
    await runSync({ pipeline: fx.pipeline });
    const mirrors = await schemaDigest(conn, fx.reportSchema, fx.tables);
    const w = await write(2);
    const dry = await runCliCapture(['restore', '--source', fx.url, '--from-mirrors', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expectLost((JSON.parse(dry.stdout) as { lostRows: Lost }).lostRows, w, 'change-log');
    const text = await runCliCapture(['restore', '--source', fx.url, '--from-mirrors', '--dry-run']);
    expect(text.stdout).toContain(`${w.total} row(s) in 2 table(s) written since the last sync will be discarded`);
    await expectRefused(['--from-mirrors'], `${w.total} row(s) in 2 table(s) written since the last sync will be discarded`, `${fx.database}_keep2`);
    await expectKept(['--from-mirrors'], w, 2, `${fx.database}_keep2`, mirrors);
  });

  it('without capture: the dry run says the count is unknown and why; the restore counts exactly after the load and refuses', async () => {
    await removeCapture(conn, fx.database);
    const w = await write(3);
    for (const args of [['--from', dir], ['--from-mirrors']]) {
      const dry = await runCliCapture(['restore', '--source', fx.url, ...args, '--dry-run', '--json']);
      expect(dry.code, dry.stderr).toBe(0);
      const lost = (JSON.parse(dry.stdout) as { lostRows: Lost }).lostRows;
      expect(lost).toMatchObject({ method: 'unknown', rows: 0, tables: [] });
      expect(lost.note).toMatch(/change capture is not installed/);
    }
    // Without a terminal and without --yes the CLI refuses before the load, saying the count is unknown yet.
    await expectRefused(['--from', dir], 'rows written since the backup: unknown before the load (change capture is not installed', `${fx.database}_keep3`);
    // Without a confirmation callback (the library) the load runs, and the exact comparison before the swap refuses.
    // The mirrors equal the backup here: both restores would discard exactly this round's writes.
    const before = await schemaDigest(conn, fx.database, fx.tables);
    const said = `${w.total} row(s) in 2 table(s) written since the backup will be discarded: contact_tags (${w.added + w.deleted}), organizations (${w.updated}): refusing without --yes`;
    await expect(runRestore({ connector: fx.connector, from: dir, target: fx.database, lostRows: 'refuse', keepLost: `${fx.database}_keep3` })).rejects.toThrow(said);
    await expectUnchanged(before, `${fx.database}_keep3`);
    await expect(restoreFromMirrors({ connector: fx.connector, pipeline: fx.pipeline, target: fx.database, lostRows: 'refuse', since: 'backup' })).rejects.toThrow(said);
    await expectUnchanged(before, `${fx.database}_keep3`);
  });

  it('rows committed after the first count (while the restore runs) are counted before the swap and kept', async () => {
    const w = await write(4); // on top of round 3's writes, which are still live
    const keep = `${fx.database}_keep4`;
    keeps.push(keep);
    let late = 0;
    const r = await runRestore({
      connector: fx.connector,
      from: dir,
      target: fx.database,
      keepLost: keep,
      // The confirmation comes after the first count and before the load: a writer commits here.
      confirm: async () => {
        late = (await conn.execute(`INSERT INTO ${qualify(fx.database, 'contact_tags')} (contact_id, tag, added_at) SELECT id, 'late', NOW(6) FROM ${qualify(fx.database, 'contacts')} WHERE id % 6 = 0`)).affectedRows;
        return true;
      },
    });
    expect(late).toBeGreaterThan(0);
    expect(r.lostRows!.method).toBe('compared');
    const kept = await conn.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${qualify(keep, 'contact_tags')} WHERE tag = 'late'`);
    expect(Number(kept[0]!.n)).toBe(late);
    const tags = r.lostRows!.tables.find((t) => t.table === 'contact_tags')!;
    expect(tags.added).toBe(w.added + late + (await countTag('lost-3', keep)));
    expect(r.keptLost!.tables.find((t) => t.table === 'contact_tags')!.rows).toBe(tags.added! + tags.changed!);
  });

  it('a lostRows function (the CLI on a terminal) is asked with the exact count before the swap; false cancels, nothing changed', async () => {
    const w = await write(5);
    const live = await schemaDigest(conn, fx.database, fx.tables);
    const asked: Lost[] = [];
    const ask = (answer: boolean) => (lost: Lost) => {
      asked.push(lost);
      return answer;
    };
    // Capture is off (round 3), so nothing is known before the load: asked once, before the swap.
    await expect(runRestore({ connector: fx.connector, from: dir, target: fx.database, lostRows: ask(false) })).rejects.toThrow(/restore cancelled: \d+ row\(s\) in \d+ table\(s\) written since the backup will be discarded/);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.method).toBe('compared');
    expect(asked[0]!.rows).toBe(w.total);
    await expectUnchanged(live, `${fx.database}_keep5`);
    const r = await runRestore({ connector: fx.connector, from: dir, target: fx.database, lostRows: ask(true) });
    expect(asked).toHaveLength(2);
    expect(r.lostRows!.rows).toBe(asked[1]!.rows);
    expect(await schemaDigest(conn, fx.database, fx.tables)).not.toEqual(live);
  });
});

async function countTag(tag: string, schema: string): Promise<number> {
  return Number((await conn.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${qualify(schema, 'contact_tags')} WHERE tag = ?`, [tag]))[0]!.n);
}
