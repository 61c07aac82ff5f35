/**
 * File-system faults at the backup's folders are ordinary errors (issue #13): each gives one line
 * and its exit code, leaves no partial backup behind, releases the sync lock, and never hangs (every
 * CLI run here is killed after 30 s, which fails the test). The full disk is a real one: a 1 MB
 * tmpfs, mounted for the test (the suite runs as root); so is the read-only one.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify } from '../../../src/db/quote.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { exitOf, spawnCli } from '../../helpers/spawn-cli.js';
import { createTestDatabase, type TestDatabase, testPipeline } from '../../helpers/test-database.js';

let db: TestDatabase;
let conn: SqlConnection;
const mounts: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase('bkfault');
  conn = await db.connector.connect();
  const big = qualify(db.database, 'big');
  await conn.execute(`CREATE TABLE ${big} (id INT PRIMARY KEY, pad VARCHAR(200)) ENGINE=InnoDB`);
  const rows: unknown[][] = [];
  for (let i = 0; i < 20_000; i++) rows.push([i, `${i} ${'x'.repeat(100)} ${Math.random()}`]);
  await conn.execute(`INSERT INTO ${big} VALUES ?`, [rows]);
  // Several tables dumped at once: the hang needed a second table still dumping when the first failed.
  for (const t of ['b2', 'b3', 'b4']) {
    await conn.execute(`CREATE TABLE ${qualify(db.database, t)} LIKE ${big}`);
    await conn.execute(`INSERT INTO ${qualify(db.database, t)} SELECT * FROM ${big}`);
  }
  await runSync({ pipeline: testPipeline(db), reports: [] });
});

afterAll(async () => {
  for (const m of mounts) execFileSync('umount', [m]);
  await conn.close();
  await db.drop();
});

/** A fresh tmpfs of `size` (e.g. '1m'), with mount options. */
function mountTmpfs(size: string, extra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'dp-mnt-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${extra}`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

/** Runs the CLI against the test database; a run still going after 30 s is killed (code null). */
async function cli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawnCli([...args, '--source', db.url], { DUALPIPE_LOG_LEVEL: 'error' });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await exitOf(child);
  clearTimeout(timer);
  return { code, stderr: child.stderrText() };
}

/** The one error line of a failed run (JSON log lines are left out). */
function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('dualpipe:'));
}

/** The sync lock is free: a sync after the failed backup runs (exit 0, not 4). */
async function expectLockFree(): Promise<void> {
  const s = await cli(['sync']);
  expect(s.stderr).not.toMatch(/holds the lock/);
  expect(s.code).toBe(0);
}

/** Fills the rest of a file system with one file (the write stops at ENOSPC). */
function fill(dir: string, name: string): void {
  try {
    writeFileSync(join(dir, name), Buffer.alloc(2 * 1024 * 1024));
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
  }
}

describe('backup onto a full disk', () => {
  it('fails with one line and exit 1 every time, removes the partial backup, and frees the lock', async () => {
    const full = mountTmpfs('1m');
    writeFileSync(join(full, 'filler'), Buffer.alloc(900 * 1024));
    for (let attempt = 0; attempt < 3; attempt++) {
      // The first attempt runs out of space midway; later ones find the disk full from the start.
      if (attempt === 1) fill(full, 'rest');
      const r = await cli(['backup', '--to', full, ...(attempt === 2 ? ['--compress', 'none', '--threads', '4'] : [])]);
      expect(r.code, `attempt ${attempt}: ${r.stderr.slice(-500)}`).toBe(1);
      const lines = errorLines(r.stderr);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/no space left on the device \(ENOSPC\)/);
      expect(lines[0]).toContain(full);
      expect(readdirSync(full).filter((n) => n.startsWith('dualpipe-'))).toEqual([]);
    }
    await expectLockFree();
  });

  it('a --copy-to onto a full disk fails with exit 1 and leaves no .partial copy; the backup itself stays', async () => {
    const full = mountTmpfs('1m');
    fill(full, 'filler');
    const to = mkdtempSync(join(tmpdir(), 'dp-bk-'));
    const r = await cli(['backup', '--to', to, '--copy-to', full]);
    expect(r.code, r.stderr.slice(-500)).toBe(1);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^dualpipe: --copy-to .*ENOSPC/)]);
    expect(readdirSync(full).filter((n) => n.startsWith('dualpipe-'))).toEqual([]);
    expect(readdirSync(to)).toHaveLength(1);
    await expectLockFree();
  });
});

describe('a --to that cannot be written', () => {
  const file = () => {
    const dir = mkdtempSync(join(tmpdir(), 'dp-bk-'));
    writeFileSync(join(dir, 'plain'), 'x');
    return join(dir, 'plain');
  };
  it.each([
    ['a file', () => [file()], /not a directory/],
    ['a path under a file', () => [join(file(), 'sub'), '--create-dirs'], /not a directory \(ENOTDIR\)/],
    ['a missing folder under /proc', () => ['/proc/nope'], /no such directory.*--create-dirs/],
    ['a folder under /proc, with --create-dirs', () => ['/proc/nope', '--create-dirs'], /no such directory \(ENOENT\)/],
    ['a read-only file system', () => [mountTmpfs('1m', ',ro')], /read-only file system \(EROFS\)/],
  ])('%s: one line, exit 2, not "a bug"', async (_what, args, message) => {
    const [to, ...rest] = args();
    const r = await cli(['backup', '--to', to!, ...rest]);
    expect(r.code, r.stderr.slice(-500)).toBe(2);
    const lines = errorLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/looks like a bug/);
  });

  it('leaves the lock free after those failures', async () => {
    await expectLockFree();
  });
});

describe('a missing folder', () => {
  it('is refused (exit 2, nothing created) unless --create-dirs is given', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'dp-bk-'));
    const to = join(parent, 'not-mounted', 'dualpipe');
    const r = await cli(['backup', '--to', to]);
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/--to .*not-mounted\/dualpipe: no such directory — .*--create-dirs/)]);
    expect(existsSync(join(parent, 'not-mounted'))).toBe(false);

    const made = await cli(['backup', '--to', to, '--create-dirs']);
    expect(made.code, made.stderr.slice(-500)).toBe(0);
    expect(readdirSync(to)).toHaveLength(1);
  });

  it('a missing --copy-to is refused before anything is written', async () => {
    const to = mkdtempSync(join(tmpdir(), 'dp-bk-'));
    const r = await cli(['backup', '--to', to, '--copy-to', join(to, 'x', 'offsite')]);
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^dualpipe: --copy-to .*offsite: no such directory/)]);
    expect(readdirSync(to)).toEqual([]);
  });
});
