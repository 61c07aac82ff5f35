/**
 * A restore validates before it writes: a damaged, unfinished or unfitting backup, or a second
 * concurrent restore, is refused with one clear message naming the file or table, a non-zero exit
 * (5 for a damaged or unfinished backup, 2 for one that does not fit), and nothing on the server
 * changed (same schemas, same rows).
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../../backup/format/manifest.js';
import { runBackup } from '../../../backup/dump/run-backup.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { acquireRunLock, lockName } from '../../../src/lock/run-lock.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';
import { schemaDigest } from '../../helpers/table-digest.js';

let fx: CrmFixture;
let conn: SqlConnection;
let parent: string;
let good: string;
let copies = 0;

beforeAll(async () => {
  fx = await createCrmFixture('restore_refuse', 0.01);
  conn = await fx.connector.connect();
  await runSync({ pipeline: fx.pipeline });
  parent = mkdtempSync(join(tmpdir(), 'dualpipe-refuse-'));
  good = (await runBackup({ pipeline: fx.pipeline, to: join(parent, 'good') })).dir;
});

afterAll(async () => {
  await conn.close();
  await fx.drop();
  rmSync(parent, { recursive: true, force: true });
});

/** A copy of the good backup to damage. */
function copy(): string {
  const to = join(parent, `copy${copies++}`);
  cpSync(good, to, { recursive: true });
  return to;
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
}

function contactsChunk(dir: string): string {
  const t = readManifest(dir).tables.find((x) => x.name === 'contacts')!;
  return t.chunks[0]!.file;
}

async function state(): Promise<{ schemas: string[]; digest: Record<string, string> }> {
  const rows = await conn.query<{ s: string }>('SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ? ORDER BY 1', [
    `${fx.database}%`,
  ]);
  return { schemas: rows.map((r) => r.s), digest: await schemaDigest(conn, fx.database, fx.tables) };
}

/** Runs a restore over the live source (with --yes, so confirmation is never the reason) and checks nothing changed. */
async function refused(from: string, code: number, ...extra: string[]): Promise<string> {
  const before = await state();
  const r = await runCliCapture(['restore', '--source', fx.url, '--from', from, '--yes', ...extra]);
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr.trim().split('\n')[0]).toMatch(/^dualpipe: /);
  expect(await state()).toEqual(before);
  return r.stderr;
}

describe('restore refuses', () => {
  it('a chunk with a flipped bit, naming the file', async () => {
    const dir = copy();
    const file = join(dir, contactsChunk(dir));
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x10;
    writeFileSync(file, bytes);
    const err = await refused(dir, 5);
    expect(err).toContain(file);
    expect(err).toMatch(/SHA-256 mismatch \(chunk of contacts\): expected [0-9a-f]{64}, got [0-9a-f]{64}/);
  });

  it('a truncated chunk', async () => {
    const dir = copy();
    const file = join(dir, contactsChunk(dir));
    truncateSync(file, 100);
    const err = await refused(dir, 5);
    expect(err).toContain(file);
    expect(err).toMatch(/100 bytes, the manifest lists \d+ \(chunk of contacts, truncated\)/);
  });

  it('a missing chunk', async () => {
    const dir = copy();
    const file = join(dir, contactsChunk(dir));
    rmSync(file);
    const err = await refused(dir, 5);
    expect(err).toContain(`${file}: missing (chunk of contacts`);
  });

  it('a folder without a backup, and an unfinished backup (chunks but no manifest)', async () => {
    const empty = mkdtempSync(join(parent, 'empty-'));
    expect(await refused(empty, 2)).toContain('no complete backup found');
    const dir = copy();
    rmSync(join(dir, 'manifest.json'));
    expect(readdirSync(join(dir, 'chunks')).length).toBeGreaterThan(0);
    expect(await refused(dir, 5)).toMatch(/manifest\.json: missing: the backup did not finish/);
  });

  it('a chunk that decompresses past the size its manifest records (a decompression bomb)', async () => {
    const dir = copy();
    const m = readManifest(dir);
    const chunk = m.tables.find((x) => x.name === 'contacts')!.chunks[0]!;
    expect(chunk.rawBytes).toBeGreaterThan(0);
    // 64 MiB of one repeated line, gzipped to a few KiB; the hash and size fixed up as an attacker would.
    const line = Buffer.from(`${'1\t'.repeat(20)}x\n`);
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, line), { level: 9 });
    writeFileSync(join(dir, chunk.file), bomb);
    chunk.bytes = bomb.length;
    chunk.sha256 = createHash('sha256').update(bomb).digest('hex');
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    const err = await refused(dir, 5);
    expect(err).toMatch(new RegExp(`${chunk.file}: expands past the ${chunk.rawBytes} bytes of lines its manifest records`));
  });

  it('a damaged manifest', async () => {
    const dir = copy();
    writeFileSync(join(dir, 'manifest.json'), readFileSync(join(dir, 'manifest.json'), 'utf8').slice(0, 200));
    expect(await refused(dir, 5)).toContain('not valid JSON');
  });

  it('a backup of another schema version, and a backup whose columns do not fit the live tables', async () => {
    const dir = copy();
    const m = readManifest(dir);
    m.migrations = [...m.migrations, '0005_future'];
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    const err = await refused(dir, 2);
    expect(err).toMatch(/backup of another schema version: .* only in the backup: 0005_future/);
    expect(err).toContain('--into');

    const dir2 = copy();
    const m2 = readManifest(dir2);
    const users = m2.tables.find((t) => t.name === 'users')!;
    const col = users.columns[1]!.name;
    users.columns[1]!.name = `${col}_old`;
    users.ddl = users.ddl.replace(`\`${col}\``, `\`${col}_old\``);
    writeFileSync(join(dir2, 'manifest.json'), JSON.stringify(m2));
    expect(await refused(dir2, 2)).toMatch(new RegExp(`table users: the backup's columns \\(id, ${col}_old, .*\\) do not fit`));
  });

  it('a second concurrent restore (exit 4)', async () => {
    const lock = await acquireRunLock(fx.connector, lockName('restore', fx.database));
    try {
      expect(await refused(good, 4)).toContain('holds the lock');
    } finally {
      await lock.release();
    }
  });
});
