/**
 * Restore round trips on a real server: into a new schema (row for row and DDL equal to the
 * source), over the live source after rows changed (exactly the backup's state), rollback (exactly
 * the state before the restore), drop-previous, and the confirmation rules of the CLI.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../../backup/dump/run-backup.js';
import { runRestore } from '../../../backup/restore/run-restore.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify } from '../../../src/db/quote.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';
import { countOrphans, schemaDigest } from '../../helpers/table-digest.js';

let fx: CrmFixture;
let conn: SqlConnection;
let dir: string;
let parent: string;
let backupState: Record<string, string>;

async function schemas(): Promise<string[]> {
  const rows = await conn.query<{ s: string }>('SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ? ORDER BY 1', [
    `${fx.database}%`,
  ]);
  return rows.map((r) => r.s);
}

async function showCreate(schema: string, table: string): Promise<string> {
  const rows = await conn.query<Record<string, string>>(`SHOW CREATE TABLE ${qualify(schema, table)}`);
  return rows[0]!['Create Table']!;
}

const cli = (...args: string[]) => runCliCapture(['restore', '--source', fx.url, ...args]);

beforeAll(async () => {
  fx = await createCrmFixture('restore', 0.01);
  conn = await fx.connector.connect();
  await runSync({ pipeline: fx.pipeline });
  parent = mkdtempSync(join(tmpdir(), 'dualpipe-restore-'));
  dir = (await runBackup({ pipeline: fx.pipeline, to: parent })).dir;
  backupState = await schemaDigest(conn, fx.database, fx.tables);
});

afterAll(async () => {
  await conn.close();
  await fx.drop();
  rmSync(parent, { recursive: true, force: true });
});

describe('restore', () => {
  it('--dry-run validates the backup and prints the plan without touching the server', async () => {
    const before = await schemas();
    const r = await cli('--from', dir, '--into', `${fx.database}_dry`, '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('LOAD DATA LOCAL INFILE');
    expect(r.stdout).toContain(`RENAME TABLE`);
    expect(await schemas()).toEqual(before);
  });

  it('into a new schema: every table equals the source row for row, with the same DDL and no orphans', async () => {
    const into = `${fx.database}_into`;
    const r = await runRestore({ connector: fx.connector, from: dir, target: into, threads: 3 });
    expect(r.replaced).toEqual([]);
    expect(r.previous).toBeNull(); // nothing replaced: no rollback window, no `${into}__dp_previous`
    expect(await schemas()).not.toContain(`${into}__dp_previous`);
    expect(r.tables.map((t) => t.table).sort()).toEqual([...fx.tables].sort());
    expect(await schemaDigest(conn, into, fx.tables)).toEqual(backupState);
    for (const t of fx.tables) expect(await showCreate(into, t), t).toBe(await showCreate(fx.database, t));
    expect(Object.values(await countOrphans(conn, into, into)).every((n) => n === 0)).toBe(true);
    expect(await schemas()).not.toContain(`${into}__dp_restore`);
    const engines = await conn.query<{ e: string }>('SELECT DISTINCT ENGINE AS e FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [into]);
    expect(engines.map((e) => e.e)).toEqual(['InnoDB']);
  });

  it('picks the newest complete backup of a folder and says so; the same restore with --indexes create is as exact', async () => {
    const unfinished = join(parent, 'dualpipe-29991231T000000Z');
    mkdirSync(join(unfinished, 'chunks'), { recursive: true });
    cpSync(join(dir, 'chunks'), join(unfinished, 'chunks'), { recursive: true });
    try {
      const into = `${fx.database}_into2`;
      const r = await cli('--from', parent, '--into', into, '--indexes', 'create');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`using the newest complete backup ${dir}`);
      expect(r.stdout).toMatch(/skipped 1 unfinished backup/);
      expect(await schemaDigest(conn, into, fx.tables)).toEqual(backupState);
      for (const t of fx.tables) expect(await showCreate(into, t), t).toBe(await showCreate(fx.database, t));
    } finally {
      rmSync(unfinished, { recursive: true, force: true });
    }
  });

  it('over the live source after rows changed: refused without --yes off a terminal, exact with --yes; rollback and drop-previous', async () => {
    const contacts = qualify(fx.database, 'contacts');
    await conn.execute(`UPDATE ${contacts} SET lead_score = lead_score + 5 WHERE id % 3 = 0`);
    await conn.execute(`DELETE FROM ${contacts} WHERE id % 7 = 0`); // cascades into interactions, transactions, …
    await conn.execute(`UPDATE ${qualify(fx.database, 'users')} SET email = CONCAT('x', email) WHERE id % 2 = 0`);
    const changed = await schemaDigest(conn, fx.database, fx.tables);
    expect(changed).not.toEqual(backupState);

    const refused = await cli('--from', dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(changed);

    const done = await cli('--from', dir, '--yes');
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain(`kept in ${fx.database}__dp_previous`);
    expect(done.stdout).toContain('are now stale');
    expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(backupState);
    expect(await schemaDigest(conn, `${fx.database}__dp_previous`, fx.tables)).toEqual(changed);
    expect(Object.values(await countOrphans(conn, fx.database, fx.database)).every((n) => n === 0)).toBe(true);

    expect((await cli('--rollback')).code).toBe(2); // confirmation needed
    const back = await cli('--rollback', '--yes');
    expect(back.code, back.stderr).toBe(0);
    expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(changed);
    expect(await schemas()).not.toContain(`${fx.database}__dp_previous`);
    const again = await cli('--rollback', '--yes');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('no rollback window');

    expect((await cli('--from', dir, '--yes', '--json')).code).toBe(0);
    expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(backupState);
    const drop = await cli('--drop-previous');
    expect(drop.code, drop.stderr).toBe(0);
    expect(await schemas()).not.toContain(`${fx.database}__dp_previous`);
    expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(backupState);
  });

  it('--sync rebuilds the mirrors from the restored tables', async () => {
    await conn.execute(`DELETE FROM ${qualify(fx.database, 'contacts')} WHERE id % 5 = 0`);
    const r = await cli('--from', dir, '--yes', '--sync');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/sync #\d+ rebuilt the mirrors/);
    expect(await schemaDigest(conn, fx.reportSchema, fx.tables)).toEqual(backupState);
  });
});
