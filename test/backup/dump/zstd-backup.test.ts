/**
 * `backup --compress zstd`: chunks are zstd frames (`.zst`) the zstd command reads; restore,
 * verify --restore-test and a merge restore give back exactly the source, encrypted too; a changed
 * chunk is caught by its hash, a truncated frame (with a manifest to match) by the decompressor,
 * naming the chunk; without any zstd the backup and the restore are refused in one usage line
 * (exit 2) before anything is written.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBackupKey, writeNewKey } from '../../../backup/format/backup-key.js';
import type { ManifestFile } from '../../../backup/format/manifest.js';
import { runBackup } from '../../../backup/dump/run-backup.js';
import { runMerge } from '../../../backup/restore/run-merge.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { UsageError } from '../../../src/errors.js';
import { historyTable } from '../../../src/history/run-history.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';
import { exitOf, spawnCli } from '../../helpers/spawn-cli.js';
import { schemaDigest } from '../../helpers/table-digest.js';

let fx: CrmFixture;
let conn: SqlConnection;
let parent: string;
let keyFile: string;
let plainDir: string;
let sealedDir: string;
let copies = 0;

const q = (t: string) => `\`${fx.database}\`.\`${t}\``;

async function backup(to: string, ...extra: string[]): Promise<string> {
  const r = await runCliCapture(['backup', '--source', fx.url, '--to', join(parent, to), '--create-dirs', '--compress', 'zstd', '--json', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { dir: string }).dir;
}

beforeAll(async () => {
  fx = await createCrmFixture('bkzstd', 0.01);
  conn = await fx.connector.connect();
  await runSync({ pipeline: fx.pipeline });
  parent = mkdtempSync(join(tmpdir(), 'dp-zstd-'));
  keyFile = join(parent, 'backup.key');
  await writeNewKey(keyFile);
  plainDir = await backup('z');
  sealedDir = await backup('ze', '--encrypt-key-file', keyFile);
}, 240_000);

afterAll(async () => {
  await conn?.close();
  await fx?.drop();
  if (parent) rmSync(parent, { recursive: true, force: true });
});

function copy(from: string): string {
  const to = join(parent, `copy${copies++}`);
  cpSync(from, to, { recursive: true });
  return to;
}

async function schemas(): Promise<string[]> {
  const rows = await conn.query<{ s: string }>('SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ? ORDER BY 1', [`${fx.database}%`]);
  return rows.map((r) => r.s);
}

describe('zstd backups', () => {
  it('write .zst chunks the zstd command reads, smaller than the lines, and say so in the manifest', () => {
    const m = JSON.parse(readFileSync(join(plainDir, 'manifest.json'), 'utf8')) as ManifestFile;
    expect(m.compression).toBe('zstd');
    const chunks = m.tables!.flatMap((t) => t.chunks);
    expect(chunks.length).toBeGreaterThan(3);
    let raw = 0;
    let packed = 0;
    for (const c of chunks) {
      expect(c.file).toMatch(/^chunks\/\d{4}-\d{5}\.tsv\.zst$/);
      const lines = execFileSync('zstd', ['-q', '-d', '-c', join(plainDir, c.file)], { maxBuffer: 256 * 1024 * 1024 });
      expect(lines.length).toBe(c.rawBytes);
      expect(lines.toString().split('\n').length - 1).toBe(c.rows);
      raw += lines.length;
      packed += c.bytes;
    }
    expect(packed).toBeLessThan(raw / 2);
  });

  it('restore, and verify with a restore test, give back exactly the source', async () => {
    const into = `${fx.database}_z`;
    const r = await runCliCapture(['restore', '--source', fx.url, '--from', plainDir, '--into', into]);
    expect(r.code, r.stderr).toBe(0);
    expect(await schemaDigest(conn, into, fx.tables)).toEqual(await schemaDigest(conn, fx.database, fx.tables));
    const v = await runCliCapture(['backup', 'verify', plainDir, '--restore-test', '--source', fx.url, '--json']);
    expect(v.code, v.stderr).toBe(0);
    expect((JSON.parse(v.stdout) as { ok: boolean; restoreTest: { rows: number } }).restoreTest.rows).toBeGreaterThan(0);
  });

  it('an encrypted zstd backup restores exactly with its key', async () => {
    const into = `${fx.database}_ze`;
    const r = await runCliCapture(['restore', '--source', fx.url, '--from', sealedDir, '--into', into, '--encrypt-key-file', keyFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(await schemaDigest(conn, into, fx.tables)).toEqual(await schemaDigest(conn, fx.database, fx.tables));
  });

  it('a merge restore of one contact and its dependents is exact, plain and encrypted', async () => {
    const [row] = await conn.query<{ id: number }>(`SELECT contact_id AS id FROM ${q('transactions')} GROUP BY contact_id ORDER BY COUNT(*) DESC, contact_id LIMIT 1`);
    const victim = Number(row!.id);
    const before = await schemaDigest(conn, fx.database, fx.tables);
    for (const [from, key] of [
      [plainDir, undefined],
      [sealedDir, keyFile],
    ] as const) {
      await conn.execute(`DELETE FROM ${q('contacts')} WHERE id = ?`, [victim]);
      expect(await schemaDigest(conn, fx.database, fx.tables)).not.toEqual(before);
      const withKey = key ? { key: await readBackupKey(key) } : {};
      const r = await runMerge({ connector: fx.connector, from, target: fx.database, where: `contacts.id = ${victim}`, ...withKey });
      expect(r.tables.find((t) => t.table === 'contacts')?.inserted).toBe(1);
      expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(before);
    }
  });

  it('a changed chunk is caught by its hash; a truncated frame the manifest agrees with, by zstd, naming the chunk (exit 5, nothing created)', async () => {
    const before = await schemas();
    const changed = copy(plainDir);
    const m = JSON.parse(readFileSync(join(changed, 'manifest.json'), 'utf8')) as ManifestFile;
    const biggest = m.tables!.flatMap((t) => t.chunks).sort((a, b) => b.bytes - a.bytes)[0]!;
    const bytes = readFileSync(join(changed, biggest.file));
    bytes[bytes.length >> 1]! ^= 0x04;
    writeFileSync(join(changed, biggest.file), bytes);
    const r1 = await runCliCapture(['restore', '--source', fx.url, '--from', changed, '--into', `${fx.database}_bad1`, '--yes']);
    expect(r1.code, r1.stderr).toBe(5);
    expect(r1.stderr).toContain(biggest.file);
    expect(r1.stderr).toMatch(/SHA-256 mismatch/);

    // Cut the frame short and make the manifest agree (it is not sealed): only zstd can tell.
    const cut = copy(plainDir);
    const short = readFileSync(join(cut, biggest.file)).subarray(0, biggest.bytes - 200);
    writeFileSync(join(cut, biggest.file), short);
    const mc = JSON.parse(readFileSync(join(cut, 'manifest.json'), 'utf8')) as ManifestFile;
    const entry = mc.tables!.flatMap((t) => t.chunks).find((c) => c.file === biggest.file)!;
    entry.bytes = short.length;
    entry.sha256 = createHash('sha256').update(short).digest('hex');
    // Its blocks' frame sizes would no longer tile the file (refused as a damaged manifest): drop them.
    delete entry.blocks;
    writeFileSync(join(cut, 'manifest.json'), JSON.stringify(mc));
    const r2 = await runCliCapture(['restore', '--source', fx.url, '--from', cut, '--into', `${fx.database}_bad2`, '--yes']);
    expect(r2.code, r2.stderr).toBe(5);
    expect(r2.stderr).toContain(`${biggest.file}: zstd cannot decompress it`);
    expect(await schemas()).toEqual(before);
  });

  it('without any zstd: backup and restore are refused in one usage line (exit 2), with nothing written', async () => {
    const empty = join(parent, 'empty-path');
    mkdirSync(empty);
    const to = join(parent, 'nozstd');
    mkdirSync(to);
    // The library, with the runtime's zstd taken away: nothing written, not even a history row.
    const runs = async () => (await conn.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${historyTable(fx.pipeline.reportSchema)}`))[0]!.n;
    const runsBefore = await runs();
    await expect(runBackup({ pipeline: fx.pipeline, to, compress: 'zstd', zstdProbe: { zlib: () => false, command: () => undefined } })).rejects.toThrow(UsageError);
    expect(await runs()).toEqual(runsBefore);
    expect(readdirSync(to)).toEqual([]);

    // The CLI with an empty PATH: on this Node (no zlib zstd) there is no zstd at all.
    const hasZlibZstd = typeof (zlib as unknown as { createZstdCompress?: unknown }).createZstdCompress === 'function';
    const b = spawnCli(['backup', '--source', fx.url, '--to', to, '--compress', 'zstd'], { PATH: empty, DUALPIPE_LOG_LEVEL: 'error' });
    const code = await exitOf(b);
    if (hasZlibZstd) {
      expect(code).toBe(0); // Node >= 22.15: zlib's own zstd needs no command
      return;
    }
    expect(code).toBe(2);
    const lines = b.stderrText().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/--compress zstd needs zstd: .*no zstd command is on PATH/);
    expect(lines[0]).toMatch(/apt-get install zstd.*Node >= 22\.15/);
    expect(readdirSync(to)).toEqual([]);

    const before = await schemas();
    const r = spawnCli(['restore', '--source', fx.url, '--from', plainDir, '--into', `${fx.database}_nz`, '--yes'], { PATH: empty, DUALPIPE_LOG_LEVEL: 'error' });
    expect(await exitOf(r)).toBe(2);
    expect(r.stderrText().trim().split('\n')).toHaveLength(1);
    expect(r.stderrText()).toMatch(/this backup is compressed with zstd, and reading it needs zstd/);
    expect(await schemas()).toEqual(before);
  });
});
