/**
 * `restore --into <schema>`: a restore into a new or empty schema (to inspect a backup) has nothing
 * to roll back to and leaves no `<schema>__dp_previous` behind; a restore over a schema that holds
 * the tables keeps the rollback window, says so, and `--rollback` puts the replaced tables back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../../backup/dump/run-backup.js';
import { dropScratchRestore, runRestore } from '../../../backup/restore/run-restore.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify, quoteId } from '../../../src/db/quote.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';
import { schemaDigest } from '../../helpers/table-digest.js';

let fx: CrmFixture;
let conn: SqlConnection;
let parent: string;
let dir: string;
let backupState: Record<string, string>;
let copy: string;
let empty: string;

async function schemas(): Promise<string[]> {
  const rows = await conn.query<{ s: string }>('SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ? ORDER BY 1', [
    `${fx.database}%`,
  ]);
  return rows.map((r) => r.s);
}

const cli = (...args: string[]) => runCliCapture(['restore', '--source', fx.url, ...args]);

beforeAll(async () => {
  fx = await createCrmFixture('rinto', 0.01);
  conn = await fx.connector.connect();
  copy = `${fx.database}_copy`;
  empty = `${fx.database}_empty`;
  await runSync({ pipeline: fx.pipeline });
  parent = mkdtempSync(join(tmpdir(), 'dp-rinto-'));
  dir = (await runBackup({ pipeline: fx.pipeline, to: parent })).dir;
  backupState = await schemaDigest(conn, fx.database, fx.tables);
});

afterAll(async () => {
  for (const s of [copy, empty]) await dropScratchRestore(conn, s);
  await conn.close();
  await fx.drop();
  rmSync(parent, { recursive: true, force: true });
});

describe('restore --into', () => {
  it('into a new schema: no previous schema is left, and the output says there is no rollback window', async () => {
    const r = await cli('--from', dir, '--into', copy);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`no rollback window: no live table of ${copy} was replaced`);
    expect(await schemaDigest(conn, copy, fx.tables)).toEqual(backupState);
    expect(await schemas()).not.toContain(`${copy}__dp_previous`);
    expect(await schemas()).not.toContain(`${copy}__dp_restore`);
    const back = await cli('--into', copy, '--rollback', '--yes');
    expect(back.code).toBe(2);
    expect(back.stderr).toContain('no rollback window');
    expect(await schemaDigest(conn, copy, fx.tables)).toEqual(backupState);
  });

  it('into an existing empty schema: no previous schema either (library, result previous is null)', async () => {
    await conn.execute(`CREATE DATABASE ${quoteId(empty)}`);
    const r = await runRestore({ connector: fx.connector, from: dir, target: empty });
    expect(r.replaced).toEqual([]);
    expect(r.previous).toBeNull();
    expect(await schemaDigest(conn, empty, fx.tables)).toEqual(backupState);
    expect(await schemas()).not.toContain(`${empty}__dp_previous`);
  });

  it('over a schema holding the tables: keeps the window, says so, and --rollback puts them back', async () => {
    await conn.execute(`UPDATE ${qualify(copy, 'contacts')} SET lead_score = lead_score + 7 WHERE id % 3 = 0`);
    const changed = await schemaDigest(conn, copy, fx.tables);
    expect(changed).not.toEqual(backupState);
    const r = await cli('--from', dir, '--into', copy, '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`rollback window: the ${fx.tables.length} replaced tables of ${copy} are kept in ${copy}__dp_previous`);
    expect(r.stdout).toContain(`dualpipe restore --into ${copy} --rollback`);
    expect(await schemaDigest(conn, copy, fx.tables)).toEqual(backupState);
    expect(await schemaDigest(conn, `${copy}__dp_previous`, fx.tables)).toEqual(changed);
    const back = await cli('--into', copy, '--rollback', '--yes');
    expect(back.code, back.stderr).toBe(0);
    expect(await schemaDigest(conn, copy, fx.tables)).toEqual(changed);
    expect(await schemas()).not.toContain(`${copy}__dp_previous`);
  });
});
