/**
 * The archive in backups (#18): a backup of a source with an archive dumps the archive schema as
 * its own manifest part; `backup verify` checks its chunks (a damaged one fails); `restore
 * --archive` brings it back elsewhere as MyISAM, exactly (plain-SQL digests), and a subject
 * forgotten after the backup (the real forget, which erases it from the archive) is withheld. A
 * restore without --archive leaves the archive alone; --archive on a backup without one is exit 2.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../../backup/dump/run-backup.js';
import { dropScratchRestore, runRestore } from '../../../backup/restore/run-restore.js';
import { verifyBackup } from '../../../backup/restore/verify-backup.js';
import { readBackupKey, writeNewKey } from '../../../backup/format/backup-key.js';
import { runArchive } from '../../../ops/archive/run-archive.js';
import { runForget } from '../../../ops/forget/run-forget.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { quoteId } from '../../../src/db/quote.js';
import { type ErasureKey, readErasureKey } from '../../../src/erasure/erasure-key.js';
import { LockBusyError, UsageError } from '../../../src/errors.js';
import { archiveLockName } from '../../../src/lock/archive-lock.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { schemaDigest } from '../../helpers/table-digest.js';

let fx: CrmFixture;
let conn: SqlConnection;
let root: string;
let archive: string;
let tables: string[];
let before: Record<string, string>;
let erasureKey: ErasureKey;
const targets: string[] = [];

/** Tables of `schema` with their engines, by plain SQL. */
async function tablesOf(schema: string): Promise<Map<string, string>> {
  const rows = await conn.query<{ t: string; e: string }>('SELECT TABLE_NAME AS t, ENGINE AS e FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [schema]);
  return new Map(rows.map((r) => [r.t, r.e]));
}

beforeAll(async () => {
  fx = await createCrmFixture('bkarch', 0.01);
  conn = await fx.connector.connect();
  archive = `${fx.database}_archive`;
  const [{ cut }] = (await conn.query<{ cut: number }>('SELECT id AS cut FROM contacts ORDER BY id LIMIT 1 OFFSET 20')) as [{ cut: number }];
  await runArchive({ pipeline: fx.pipeline, where: `contacts.id < ${Number(cut)}`, chunkRows: 7 });
  await runSync({ pipeline: fx.pipeline });
  tables = [...(await tablesOf(archive)).keys()].sort();
  expect(tables).toContain('contacts');
  expect(tables).toContain('_dualpipe_archive_journal');
  before = await schemaDigest(conn, archive, tables);
  expect(Number(before.contacts!.split(':')[0])).toBeGreaterThan(5);
  root = mkdtempSync(join(tmpdir(), 'dp-bkarch-'));
  await writeNewKey(join(root, 'erasure.key'));
  erasureKey = await readErasureKey(join(root, 'erasure.key'));
}, 240_000);

afterAll(async () => {
  for (const t of targets) {
    await dropScratchRestore(conn, t).catch(() => {});
    await dropScratchRestore(conn, `${t}_archive`).catch(() => {});
  }
  await conn?.close();
  await fx?.drop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('backup with an archive', () => {
  let dir: string;
  it('dumps the archive as its own part, verified, and restores it elsewhere exactly, as MyISAM', async () => {
    dir = (await runBackup({ pipeline: fx.pipeline, to: join(root, 'b'), compress: 'gzip' })).dir;
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { tables: { name: string }[]; archive?: { schema: string; tables: { name: string; kind: string; rows: number }[] } };
    expect(m.archive?.schema).toBe(archive);
    expect(m.archive!.tables.map((t) => t.name).sort()).toEqual(tables);
    expect(m.archive!.tables.every((t) => t.kind === 'archive')).toBe(true);
    expect(m.archive!.tables.find((t) => t.name === 'contacts')!.rows).toBe(Number(before.contacts!.split(':')[0]));
    const v = await verifyBackup({ dir });
    expect(v.ok).toBe(true);
    const mirrorChunks = m.tables.length;
    expect(v.chunks).toBeGreaterThan(mirrorChunks);

    const target = `${fx.database}_ra`;
    targets.push(target);
    const r = await runRestore({ connector: fx.connector, from: dir, target, archive: true });
    expect(r.archive).toMatchObject({ schema: `${target}_archive`, tables: tables.length, previous: null });
    const engines = await tablesOf(`${target}_archive`);
    expect([...engines.keys()].sort()).toEqual(tables);
    expect([...engines.values()].every((e) => e === 'MyISAM')).toBe(true);
    expect(await schemaDigest(conn, `${target}_archive`, tables)).toEqual(before);
    // A restore without --archive leaves the archive as it is (here: the one just restored).
    await conn.execute(`DELETE FROM ${quoteId(`${target}_archive`)}.contacts LIMIT 1`);
    const changed = await schemaDigest(conn, `${target}_archive`, tables);
    await runRestore({ connector: fx.connector, from: dir, target });
    expect(await schemaDigest(conn, `${target}_archive`, tables)).toEqual(changed);
    // Again with --archive: swapped in whole, the replaced one kept aside.
    const again = await runRestore({ connector: fx.connector, from: dir, target, archive: true });
    expect(again.archive?.previous).toBe(`${target}_archive__dp_previous`);
    expect(await schemaDigest(conn, `${target}_archive`, tables)).toEqual(before);
  }, 240_000);

  it('encrypted: the archive part is sealed with the tables, and verifies and restores with the key', async () => {
    await writeNewKey(join(root, 'backup.key'));
    const key = await readBackupKey(join(root, 'backup.key'));
    const sealed = (await runBackup({ pipeline: fx.pipeline, to: join(root, 'e'), compress: 'gzip', key })).dir;
    const text = readFileSync(join(sealed, 'manifest.json'), 'utf8');
    expect(text).not.toContain('_dualpipe_archive_journal');
    expect((await verifyBackup({ dir: sealed, key })).ok).toBe(true);
    const target = `${fx.database}_re`;
    targets.push(target);
    await runRestore({ connector: fx.connector, from: sealed, target, archive: true, key });
    expect(await schemaDigest(conn, `${target}_archive`, tables)).toEqual(before);
  }, 240_000);

  it('waits for a running archive (its lock), and without --wait-lock fails, leaving no backup', async () => {
    const holder = await fx.connector.connect({ database: null });
    try {
      await holder.query('SELECT GET_LOCK(?, 0)', [archiveLockName(fx.database)]);
      await expect(runBackup({ pipeline: fx.pipeline, to: join(root, 'busy') })).rejects.toThrow(LockBusyError);
      expect(readdirSync(join(root, 'busy'))).toEqual([]);
    } finally {
      await holder.close();
    }
  });

  it('a damaged archive chunk fails verify', async () => {
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { archive: { tables: { chunks: { file: string }[] }[] } };
    const file = join(dir, m.archive.tables[0]!.chunks[0]!.file);
    const good = readFileSync(file);
    const bad = Buffer.from(good);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff;
    writeFileSync(file, bad);
    try {
      await expect(verifyBackup({ dir })).rejects.toThrow(/SHA-256 mismatch/);
    } finally {
      writeFileSync(file, good);
    }
  });

  it('a subject forgotten after the backup is withheld from the restored archive', async () => {
    const [{ id }] = (await conn.query<{ id: number }>(`SELECT id FROM ${quoteId(archive)}.contacts c WHERE EXISTS (SELECT 1 FROM ${quoteId(archive)}.interactions i WHERE i.contact_id = c.id) ORDER BY id LIMIT 1`)) as [{ id: number }];
    await runForget({ pipeline: fx.pipeline, where: `contacts.id IN (${Number(id)})`, reason: 'erasure request', key: erasureKey });
    const expected = await schemaDigest(conn, archive, tables.filter((t) => t !== '_dualpipe_archive_journal'));
    expect(expected.contacts).not.toEqual(before.contacts);
    const target = `${fx.database}_rf`;
    targets.push(target);
    const r = await runRestore({ connector: fx.connector, from: dir, target, archive: true, erasureKey });
    expect(r.archive?.withheld?.matched).toBeGreaterThan(1);
    expect(await schemaDigest(conn, `${target}_archive`, tables.filter((t) => t !== '_dualpipe_archive_journal'))).toEqual(expected);
  }, 240_000);

  it('--archive on a backup without an archive is a usage error, nothing changed', async () => {
    const plain = await createCrmFixture('bkarch0', 0.01);
    try {
      await runSync({ pipeline: plain.pipeline });
      const d = (await runBackup({ pipeline: plain.pipeline, to: join(root, 'p') })).dir;
      const m = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8')) as { archive?: unknown };
      expect(m.archive).toBeUndefined();
      await expect(runRestore({ connector: plain.connector, from: d, target: `${plain.database}_x`, archive: true })).rejects.toThrow(UsageError);
      expect((await conn.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [`${plain.database}_x`])).length).toBe(0);
    } finally {
      await plain.drop();
    }
  }, 240_000);
});
