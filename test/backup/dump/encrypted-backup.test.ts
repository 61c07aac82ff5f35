/**
 * Encryption at rest: `backup --encrypt-key-file` writes chunks no one can read without the key
 * and a manifest whose table list is sealed; restore and verify take the key; a missing or wrong
 * key, a tampered chunk or a tampered manifest are refused with nothing on the server changed.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNewKey } from '../../../backup/format/backup-key.js';
import { listBackups } from '../../../backup/dump/inventory.js';
import type { ManifestFile } from '../../../backup/format/manifest.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';
import { exitOf, spawnCli } from '../../helpers/spawn-cli.js';
import { schemaDigest } from '../../helpers/table-digest.js';

let fx: CrmFixture;
let conn: SqlConnection;
let parent: string;
let keyFile: string;
let otherKey: string;
let backupDir: string;
let copyDir: string;
let copies = 0;

beforeAll(async () => {
  fx = await createCrmFixture('bkenc', 0.01);
  conn = await fx.connector.connect();
  await runSync({ pipeline: fx.pipeline });
  parent = mkdtempSync(join(tmpdir(), 'dp-enc-'));
  keyFile = join(parent, 'backup.key');
  otherKey = join(parent, 'other.key');
  await writeNewKey(keyFile);
  await writeNewKey(otherKey);
  const r = await runCliCapture(['backup', '--source', fx.url, '--to', join(parent, 'b'), '--copy-to', join(parent, 'offsite'), '--create-dirs', '--encrypt-key-file', keyFile, '--json']);
  expect(r.code, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as { dir: string; encrypted: boolean; copies: { dir: string }[] };
  expect(out.encrypted).toBe(true);
  backupDir = out.dir;
  copyDir = out.copies[0]!.dir;
});

afterAll(async () => {
  await conn.close();
  await fx.drop();
  rmSync(parent, { recursive: true, force: true });
});

function copy(): string {
  const to = join(parent, `copy${copies++}`);
  cpSync(backupDir, to, { recursive: true });
  return to;
}

const manifestText = (dir: string) => readFileSync(join(dir, 'manifest.json'), 'utf8');

async function schemas(): Promise<string[]> {
  const rows = await conn.query<{ s: string }>('SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ? ORDER BY 1', [`${fx.database}%`]);
  return rows.map((r) => r.s);
}

/**
 * A restore into a new schema that must be refused with no schema created: exit 2 for a key that
 * does not fit, 5 (`damaged`) for a damaged or tampered backup.
 */
async function refused(dir: string, ...extra: string[]): Promise<string> {
  return refusedWith(2, dir, ...extra);
}

async function refusedWith(code: number, dir: string, ...extra: string[]): Promise<string> {
  const before = await schemas();
  const r = await runCliCapture(['restore', '--source', fx.url, '--from', dir, '--into', `${fx.database}_x`, '--yes', ...extra]);
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr.trim().split('\n')).toHaveLength(1); // the message and its hint, on one line
  expect(await schemas()).toEqual(before);
  return r.stderr;
}

describe('encrypted backups', () => {
  it('hide the rows, the DDL and the table list, and name the key id', async () => {
    const text = manifestText(backupDir);
    const m = JSON.parse(text) as ManifestFile;
    expect(m.tables).toBeUndefined();
    expect(m.encryption?.algorithm).toBe('aes-256-gcm');
    expect(m.sealed?.data.length).toBeGreaterThan(100);
    expect(text).not.toMatch(/CREATE TABLE|contacts|email/);
    // A real e-mail address of the source is in no chunk file, and no chunk is gzip or TSV text.
    const emails = await conn.query<{ email: string }>(`SELECT email FROM \`${fx.database}\`.contacts WHERE email IS NOT NULL LIMIT 1`);
    const needle = Buffer.from(emails[0]!.email);
    for (const f of readdirSync(join(backupDir, 'chunks'))) {
      const bytes = readFileSync(join(backupDir, 'chunks', f));
      expect(bytes.includes(needle), f).toBe(false);
      expect(() => gunzipSync(bytes), f).toThrow();
    }
    const listed = (await listBackups(join(parent, 'b')))[0]!;
    expect(listed.keyId).toBe(m.encryption!.keyId);
    expect(listed.complete).toBe(true);
    expect(listed.rows).toBe(m.totals.rows);
    const cli = await runCliCapture(['backup', 'list', '--in', join(parent, 'b')]);
    expect(cli.stdout).toContain(`encrypted (key id ${m.encryption!.keyId.slice(0, 8)}`);
  });

  it('restore with the key gives back exactly the source, from the backup and from its second copy', async () => {
    for (const [i, from] of [backupDir, copyDir].entries()) {
      const into = `${fx.database}_dec${i}`;
      const r = await runCliCapture(['restore', '--source', fx.url, '--from', from, '--into', into, '--encrypt-key-file', keyFile]);
      expect(r.code, r.stderr).toBe(0);
      expect(await schemaDigest(conn, into, fx.tables)).toEqual(await schemaDigest(conn, fx.database, fx.tables));
    }
  });

  it('refuses a missing key and a wrong key before anything is written', async () => {
    expect(await refused(backupDir)).toMatch(/the backup is encrypted \(key id [0-9a-f]{32}\) — pass the key it was written with: --encrypt-key-file/);
    expect(await refused(backupDir, '--encrypt-key-file', otherKey)).toMatch(/encrypted with key id [0-9a-f]{32}, the key in .*other\.key has id [0-9a-f]{32}/);
    const v = await runCliCapture(['backup', 'verify', backupDir, '--encrypt-key-file', otherKey]);
    expect(v.code).toBe(2);
  });

  it('refuses a key with an unencrypted manifest (a manifest swapped for a clear one), before any write', async () => {
    const plain = await runCliCapture(['backup', '--source', fx.url, '--to', join(parent, 'plain'), '--create-dirs', '--json']);
    expect(plain.code, plain.stderr).toBe(0);
    const plainDir = (JSON.parse(plain.stdout) as { dir: string }).dir;
    expect(await refused(plainDir, '--encrypt-key-file', keyFile)).toMatch(/the backup is not encrypted, but a key was given/);
    const swapped = copy();
    cpSync(join(plainDir, 'manifest.json'), join(swapped, 'manifest.json'));
    cpSync(join(plainDir, 'chunks'), join(swapped, 'chunks'), { recursive: true, force: true });
    expect(await refused(swapped, '--encrypt-key-file', keyFile)).toMatch(/not encrypted, but a key was given .*manifest was replaced/);
    const v = await runCliCapture(['backup', 'verify', swapped, '--encrypt-key-file', keyFile]);
    expect(v.code).toBe(2);
  });

  it('refuses a tampered chunk and a tampered manifest, with nothing changed', async () => {
    const dir = copy();
    const chunk = readdirSync(join(dir, 'chunks')).sort()[0]!;
    const file = join(dir, 'chunks', chunk);
    const bytes = readFileSync(file);
    bytes[bytes.length - 20]! ^= 0x01;
    writeFileSync(file, bytes);
    expect(await refusedWith(5, dir, '--encrypt-key-file', keyFile)).toMatch(/SHA-256 mismatch/);

    // Clear fields are bound to the sealed part: changing one breaks its authentication.
    const dir2 = copy();
    const m = JSON.parse(manifestText(dir2)) as ManifestFile;
    m.totals.rows += 1;
    writeFileSync(join(dir2, 'manifest.json'), JSON.stringify(m));
    expect(await refusedWith(5, dir2, '--encrypt-key-file', keyFile)).toMatch(/sealed table list fails authentication/);

    const dir3 = copy();
    const m3 = JSON.parse(manifestText(dir3)) as ManifestFile;
    const data = Buffer.from(m3.sealed!.data, 'base64');
    data[5]! ^= 0x40;
    m3.sealed!.data = data.toString('base64');
    writeFileSync(join(dir3, 'manifest.json'), JSON.stringify(m3));
    expect(await refusedWith(5, dir3, '--encrypt-key-file', keyFile)).toMatch(/fails authentication/);
  });

  it('verify and the restore test take the key; a copy elsewhere restores as well', async () => {
    const v = await runCliCapture(['backup', 'verify', backupDir, '--restore-test', '--source', fx.url, '--encrypt-key-file', keyFile, '--json']);
    expect(v.code, v.stderr).toBe(0);
    expect((JSON.parse(v.stdout) as { ok: boolean; restoreTest: { rows: number } }).restoreTest.rows).toBeGreaterThan(0);
    const noKey = await runCliCapture(['backup', 'verify', backupDir]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/encrypted/);
  });

  it('warns about a key file others can read, without printing the key', async () => {
    const loose = join(parent, 'loose.key');
    writeFileSync(loose, readFileSync(keyFile), { mode: 0o644 });
    // The warning is a log line: the compiled CLI in a child process, as cron would run it.
    const child = spawnCli(['backup', 'verify', backupDir, '--encrypt-key-file', loose], { DUALPIPE_LOG_LEVEL: 'warn' });
    expect(await exitOf(child), child.stderrText()).toBe(0);
    expect(child.stderrText()).toMatch(/readable by every account on this machine.*chmod 600/);
    expect(child.stderrText()).not.toContain(readFileSync(keyFile, 'utf8').trim());
  });
});
