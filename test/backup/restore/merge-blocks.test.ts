/**
 * A merge restore reads blocks of chunks, not whole chunks: each chunk records its blocks of lines
 * (size, SHA-256, key ranges; in gzip/zstd backups a member/frame each) and a merge reads only the
 * blocks that can hold its rows, encrypted ones segment by segment. Oracles share no code with the
 * product: a plain SQL digest of the schema before the delete, per-table counts of the dependent
 * rows by plain SQL, the same backup with its blocks stripped (read whole), and the `gzip`/`zstd`
 * commands, which accept the files and read single members/frames. A changed byte in a block that
 * is read fails the merge with nothing changed.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../../backup/dump/run-backup.js';
import { type BackupKey, readBackupKey, writeNewKey } from '../../../backup/format/backup-key.js';
import { parseManifest } from '../../../backup/format/manifest-seal.js';
import { type MergeResult, runMerge } from '../../../backup/restore/run-merge.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { subjectCounts } from '../../helpers/crm-subject.js';
import { stripBlocks } from '../../helpers/strip-blocks.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';
import { schemaDigest } from '../../helpers/table-digest.js';

let fx: CrmFixture;
let conn: SqlConnection;
let parent: string;
/**
 * Backups of the same data: uncompressed with blocks, and stripped (per-chunk key ranges only);
 * encrypted (plaintext blocks, read segment by segment); gzip (a member per block), stripped,
 * encrypted; zstd (a frame per block), stripped.
 */
let blocked: string, chunked: string, sealed: string, gz: string, gzChunked: string, gzSealed: string, zst: string, zstChunked: string;
let key: BackupKey;
let contactIds: number[];
/** The schema's digest as seeded: every merge below must bring the schema back to exactly this (taken once: a digest costs a few hundred ms). */
let seeded: Record<string, string>;

const q = (t: string) => `\`${fx.database}\`.\`${t}\``;

beforeAll(async () => {
  fx = await createCrmFixture('mergeblk', 0.02);
  conn = await fx.connector.connect();
  await runSync({ pipeline: fx.pipeline });
  parent = mkdtempSync(join(tmpdir(), 'dp-mergeblk-'));
  blocked = (await runBackup({ pipeline: fx.pipeline, to: join(parent, 'b'), createDirs: true, compress: 'none' })).dir;
  chunked = stripBlocks(blocked, join(parent, 'c'));
  const keyFile = join(parent, 'backup.key');
  await writeNewKey(keyFile);
  key = await readBackupKey(keyFile);
  sealed = (await runBackup({ pipeline: fx.pipeline, to: join(parent, 'e'), createDirs: true, compress: 'none', key })).dir;
  gz = (await runBackup({ pipeline: fx.pipeline, to: join(parent, 'g'), createDirs: true, compress: 'gzip' })).dir;
  gzChunked = stripBlocks(gz, join(parent, 'gc'));
  gzSealed = (await runBackup({ pipeline: fx.pipeline, to: join(parent, 'ge'), createDirs: true, compress: 'gzip', key })).dir;
  zst = (await runBackup({ pipeline: fx.pipeline, to: join(parent, 'z'), createDirs: true, compress: 'zstd' })).dir;
  zstChunked = stripBlocks(zst, join(parent, 'zc'));
  contactIds = (await conn.query<{ id: number }>(`SELECT id FROM ${q('contacts')} ORDER BY id`)).map((r) => Number(r.id));
  seeded = await schemaDigest(conn, fx.database, fx.tables);
}, 240_000);

afterAll(async () => {
  await conn?.close();
  await fx?.drop();
  rmSync(parent, { recursive: true, force: true });
});

/** Deletes the contacts (their dependents cascade), merges them back, checks every row is as seeded and each table's count. */
async function deleteAndMerge(from: string, ids: readonly number[], withKey?: BackupKey): Promise<MergeResult> {
  const expected = await subjectCounts(conn, ids);
  await conn.execute(`DELETE FROM ${q('contacts')} WHERE id IN (${ids.join(', ')})`);
  const r = await runMerge({ connector: fx.connector, from, target: fx.database, where: `contacts.id IN (${ids.join(', ')})`, ...(withKey ? { key: withKey } : {}) });
  expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(seeded);
  expect(Object.fromEntries(r.tables.map((t) => [t.table, t.inserted]))).toEqual(expected);
  return r;
}

/** A copy of the backup `dir` with one bit flipped in the middle of the first packed block of its first interactions chunk. */
function flipInFirstBlock(dir: string, name: string): string {
  const c = parseManifest(readFileSync(join(dir, 'manifest.json'), 'utf8'), 'manifest.json').tables.find((t) => t.name === 'interactions')!.chunks[0]!;
  const copy = join(parent, name);
  cpSync(dir, copy, { recursive: true });
  const bytes = readFileSync(join(copy, c.file));
  bytes[c.blocks![0]!.packed! >> 1] = bytes[c.blocks![0]!.packed! >> 1]! ^ 1;
  writeFileSync(join(copy, c.file), bytes);
  return copy;
}

describe('merge restore reading blocks of chunks', () => {
  it('records blocks that tile each chunk of more than one block, only in an uncompressed backup', () => {
    const m = parseManifest(readFileSync(join(blocked, 'manifest.json'), 'utf8'), 'manifest.json');
    const interactions = m.tables.find((t) => t.name === 'interactions')!;
    const c = interactions.chunks[0]!;
    expect(c.blocks!.length).toBeGreaterThan(2);
    expect(c.blocks!.reduce((a, b) => a + b.bytes, 0)).toBe(c.bytes);
    expect(c.blocks!.reduce((a, b) => a + b.rows, 0)).toBe(c.rows);
  });

  it('brings back one contact reading a few blocks, exactly as reading the whole chunks of the per-chunk index', async () => {
    const victim = contactIds[contactIds.length >> 1]!;
    const fast = await deleteAndMerge(blocked, [victim]);
    const slow = await deleteAndMerge(chunked, [victim]);
    expect(fast.keyIndex && slow.keyIndex).toBe(true);
    expect(fast.bytesRead).toBeLessThan(slow.bytesRead / 3);
    expect(fast.inserted).toBe(slow.inserted);
  });

  it('an encrypted backup reads only the segments of the blocks it chooses, each authenticated', async () => {
    const victim = contactIds[contactIds.length >> 2]!;
    const m = parseManifest(readFileSync(join(sealed, 'manifest.json'), 'utf8'), 'manifest.json', key);
    expect(m.tables.find((t) => t.name === 'interactions')!.chunks[0]!.blocks!.length).toBeGreaterThan(2);
    const r = await deleteAndMerge(sealed, [victim], key);
    const whole = await deleteAndMerge(chunked, [victim]);
    expect(r.bytesRead).toBeLessThan(whole.bytesRead / 3);
    // One bit of the interactions chunk flipped in each segment: the merge reads one of them and fails.
    const bad = join(parent, 'bad-e');
    cpSync(sealed, bad, { recursive: true });
    const c = m.tables.find((t) => t.name === 'interactions')!.chunks[0]!;
    const bytes = readFileSync(join(bad, c.file));
    for (let at = 11 + 100; at < bytes.length; at += 64 * 1024 + 16) bytes[at] = bytes[at]! ^ 1;
    writeFileSync(join(bad, c.file), bytes);
    await conn.execute(`DELETE FROM ${q('contacts')} WHERE id = ?`, [victim]);
    const during = await schemaDigest(conn, fx.database, fx.tables);
    await expect(runMerge({ connector: fx.connector, from: bad, target: fx.database, where: `contacts.id = ${victim}`, key })).rejects.toThrow(/authentication/);
    expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(during);
    await runMerge({ connector: fx.connector, from: sealed, target: fx.database, where: `contacts.id = ${victim}`, key });
  });

  it('merges random sets of contacts exactly (property, against plain SQL)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.constantFrom(...contactIds), { minLength: 1, maxLength: 3 }),
        fc.constantFrom('blocks', 'chunks', 'encrypted', 'gzip', 'gzip-chunks', 'gzip-encrypted', 'zstd', 'zstd-chunks'),
        async (ids, kind) => {
          const from = { blocks: blocked, chunks: chunked, encrypted: sealed, gzip: gz, 'gzip-chunks': gzChunked, 'gzip-encrypted': gzSealed, zstd: zst, 'zstd-chunks': zstChunked }[kind];
          const r = await deleteAndMerge(from, ids, kind.endsWith('encrypted') ? key : undefined);
          expect(r.conflicts).toBe(0);
        },
      ),
      { numRuns: 8, seed: 19, endOnFailure: true },
    );
  }, 240_000);

  it('a changed byte in a block it reads fails the merge with nothing changed; one in a block it skips does not matter', async () => {
    const victim = contactIds[1]!;
    const bad = join(parent, 'bad');
    cpSync(blocked, bad, { recursive: true });
    const m = parseManifest(readFileSync(join(bad, 'manifest.json'), 'utf8'), 'manifest.json');
    const c = m.tables.find((t) => t.name === 'interactions')!.chunks[0]!;
    const path = join(bad, c.file);
    const bytes = readFileSync(path);
    // The last block: far from the first contacts' rows (the dump is in key order), so not read.
    bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 1;
    writeFileSync(path, bytes);
    await deleteAndMerge(bad, [victim]);
    // The first block: where the victim's interactions are.
    bytes[2] = bytes[2]! ^ 1;
    writeFileSync(path, bytes);
    const before = await schemaDigest(conn, fx.database, fx.tables);
    await conn.execute(`DELETE FROM ${q('contacts')} WHERE id = ?`, [victim]);
    const during = await schemaDigest(conn, fx.database, fx.tables);
    await expect(runMerge({ connector: fx.connector, from: bad, target: fx.database, where: `contacts.id = ${victim}` })).rejects.toThrow(/SHA-256/);
    expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(during);
    await runMerge({ connector: fx.connector, from: blocked, target: fx.database, where: `contacts.id = ${victim}` });
    expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(before);
  });

  it('a gzip backup writes a member per block: blocks tile the lines and the file, and gzip -t / zstd -t accept the chunks', () => {
    const m = parseManifest(readFileSync(join(gz, 'manifest.json'), 'utf8'), 'manifest.json');
    const c = m.tables.find((t) => t.name === 'interactions')!.chunks[0]!;
    expect(c.blocks!.length).toBeGreaterThan(2);
    expect(c.blocks!.reduce((a, b) => a + b.packed!, 0)).toBe(c.bytes);
    expect(c.blocks!.reduce((a, b) => a + b.bytes, 0)).toBe(c.rawBytes);
    // Each block's member alone gunzips (the gzip command) to its recorded lines.
    const file = readFileSync(join(gz, c.file));
    const at = c.blocks![0]!.packed! + c.blocks![1]!.packed!;
    const lines = execFileSync('gzip', ['-dc'], { input: file.subarray(at, at + c.blocks![2]!.packed!) });
    expect(lines.length).toBe(c.blocks![2]!.bytes);
    for (const t of m.tables) for (const ch of t.chunks) execFileSync('gzip', ['-t', join(gz, ch.file)]);
    // zstd (through the command here): a frame per block, found by zstd -t and read alone by zstd -d.
    const z = parseManifest(readFileSync(join(zst, 'manifest.json'), 'utf8'), 'manifest.json');
    for (const t of z.tables) for (const ch of t.chunks) execFileSync('zstd', ['-q', '-t', join(zst, ch.file)]);
    const zc = z.tables.find((t) => t.name === 'interactions')!.chunks[0]!;
    expect(zc.blocks!.length).toBeGreaterThan(2);
    expect(zc.blocks!.reduce((a, b) => a + b.packed!, 0)).toBe(zc.bytes);
    const zfile = readFileSync(join(zst, zc.file));
    const zat = zc.blocks![0]!.packed!;
    const zlines = execFileSync('zstd', ['-q', '-dc'], { input: zfile.subarray(zat, zat + zc.blocks![1]!.packed!) });
    expect(zlines.length).toBe(zc.blocks![1]!.bytes);
  });

  it('a gzip backup, plain and encrypted, and a zstd backup bring back one contact reading only the members/frames of its blocks', async () => {
    const victim = contactIds[contactIds.length >> 1]!;
    const fast = await deleteAndMerge(gz, [victim]);
    const slow = await deleteAndMerge(gzChunked, [victim]);
    // Compressed ~4x, fewer chunks of this small fixture span several blocks than uncompressed: /2, not /3.
    expect(fast.bytesRead).toBeLessThan(slow.bytesRead / 2);
    expect(fast.inserted).toBe(slow.inserted);
    const enc = await deleteAndMerge(gzSealed, [victim], key);
    expect(enc.bytesRead).toBeLessThan(slow.bytesRead / 2);
    expect(enc.inserted).toBe(slow.inserted);
    const z = await deleteAndMerge(zst, [victim]);
    const zSlow = await deleteAndMerge(zstChunked, [victim]);
    expect(z.bytesRead).toBeLessThan(zSlow.bytesRead / 2);
    expect(z.inserted).toBe(slow.inserted);
  });

  it('gzip and zstd backups restore whole (members/frames read as one stream) and verify exactly', async () => {
    for (const [from, suffix] of [[gz, 'gz'], [zst, 'zst']] as const) {
      const into = `${fx.database}_${suffix}`;
      const r = await runCliCapture(['restore', '--source', fx.url, '--from', from, '--into', into]);
      expect(r.code, r.stderr).toBe(0);
      try {
        expect(await schemaDigest(conn, into, fx.tables)).toEqual(await schemaDigest(conn, fx.database, fx.tables));
      } finally {
        await conn.execute(`DROP DATABASE IF EXISTS \`${into}\``);
      }
      const v = await runCliCapture(['backup', 'verify', from, '--restore-test', '--source', fx.url, '--json']);
      expect(v.code, v.stderr).toBe(0);
      expect((JSON.parse(v.stdout) as { ok: boolean }).ok).toBe(true);
    }
  });

  it('in a gzip or zstd backup, a changed byte inside a member/frame it reads, or a block hash that does not match, fails the merge with nothing changed', async () => {
    const victim = contactIds[1]!;
    // Inside the first member's deflate data (past its 10-byte header): where the victim's interactions are.
    const bad = flipInFirstBlock(gz, 'bad-g');
    const before = await schemaDigest(conn, fx.database, fx.tables);
    await conn.execute(`DELETE FROM ${q('contacts')} WHERE id = ?`, [victim]);
    const during = await schemaDigest(conn, fx.database, fx.tables);
    await expect(runMerge({ connector: fx.connector, from: bad, target: fx.database, where: `contacts.id = ${victim}` })).rejects.toThrow(/damaged/);
    expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(during);
    // The file as written, but the block's recorded hash is not its lines': refused by the hash.
    const wrong = join(parent, 'bad-gh');
    cpSync(gz, wrong, { recursive: true });
    const raw = JSON.parse(readFileSync(join(wrong, 'manifest.json'), 'utf8')) as { tables: { name: string; chunks: { blocks: { sha256: string }[] }[] }[] };
    raw.tables.find((t) => t.name === 'interactions')!.chunks[0]!.blocks[0]!.sha256 = '0'.repeat(64);
    writeFileSync(join(wrong, 'manifest.json'), JSON.stringify(raw));
    await expect(runMerge({ connector: fx.connector, from: wrong, target: fx.database, where: `contacts.id = ${victim}` })).rejects.toThrow(/SHA-256/);
    expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(during);
    // zstd: a changed byte inside the first frame (its checksum, or its decoding, refuses it).
    const zbad = flipInFirstBlock(zst, 'bad-z');
    await expect(runMerge({ connector: fx.connector, from: zbad, target: fx.database, where: `contacts.id = ${victim}` })).rejects.toThrow(/damaged|cannot decompress/);
    expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(during);
    await runMerge({ connector: fx.connector, from: gz, target: fx.database, where: `contacts.id = ${victim}` });
    expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(before);
  });
});
