/**
 * Finds and validates a backup before a restore writes anything: the manifest must be there
 * (it is written last, so without it the backup never finished) and parse, and every chunk the
 * restore reads must have the size and SHA-256 the manifest lists, checked by streaming the file.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import pLimit from 'p-limit';
import { BackupError, FileAccessError, UsageError } from '../../src/errors.js';
import type { BackupKey } from './backup-key.js';
import { CHUNK_FILE, MANIFEST_FILE, type Manifest, type ManifestFile, type ManifestTable, parseManifestFile } from './manifest.js';
import { openManifest } from './manifest-seal.js';

/**
 * A backup `locateBackup` found and opened: its folder and its manifest (decrypted when it was
 * sealed).
 */
export interface LocatedBackup {
  dir: string;
  manifest: Manifest;
  /** What was chosen and skipped when `from` held several backups. */
  notes: string[];
}

const BACKUP_DIR = /^dualpipe-/;

async function isDir(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

async function readManifestIn(dir: string): Promise<ManifestFile | undefined> {
  const file = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FileAccessError(file, `cannot read the manifest (${(error as Error).message})`, { hint: 'check the path and its permissions' });
  }
  return parseManifestFile(text, file);
}

/**
 * `from` is a backup directory, or a folder of `dualpipe-*` backups: then the newest complete one
 * (by its manifest's finishedAt) is used, and the notes say which. Backups still being written or
 * killed before their manifest are skipped; a damaged manifest is refused rather than silently
 * falling back to an older backup. An encrypted backup is opened with `key`, and refused without
 * it or with another key.
 */
export async function locateBackup(from: string, key?: BackupKey): Promise<LocatedBackup> {
  const dir = resolve(from);
  if (!(await isDir(dir))) throw new UsageError(`--from ${from}: no such directory`, { hint: 'pass a backup directory or the folder holding backups' });
  const own = await readManifestIn(dir);
  if (own) return { dir, manifest: openManifest(own, join(dir, MANIFEST_FILE), key), notes: [] };
  const entries = await readdir(dir, { withFileTypes: true });
  if (entries.some((e) => e.name === 'chunks' && e.isDirectory()))
    throw new BackupError(join(dir, MANIFEST_FILE), 'missing: the backup did not finish (its manifest is written last)', {
      hint: 'this backup is incomplete and can never be restored: use another backup',
    });
  const candidates = entries.filter((e) => e.isDirectory() && BACKUP_DIR.test(e.name)).map((e) => join(dir, e.name));
  const complete: { dir: string; manifest: ManifestFile }[] = [];
  const incomplete: string[] = [];
  for (const c of candidates) {
    const manifest = await readManifestIn(c);
    if (manifest) complete.push({ dir: c, manifest });
    else incomplete.push(c);
  }
  if (complete.length === 0)
    throw new UsageError(
      `--from ${from}: no complete backup found${incomplete.length ? ` (${incomplete.length} without a manifest: unfinished)` : ''}`,
      { hint: 'pass a directory written by `dualpipe backup --to`' },
    );
  complete.sort((a, b) => b.manifest.finishedAt.localeCompare(a.manifest.finishedAt) || b.dir.localeCompare(a.dir));
  const newest = complete[0]!;
  const chosen: LocatedBackup = { dir: newest.dir, manifest: openManifest(newest.manifest, join(newest.dir, MANIFEST_FILE), key), notes: [] };
  chosen.notes.push(`using the newest complete backup ${chosen.dir} (finished ${chosen.manifest.finishedAt}) of ${complete.length} in ${dir}`);
  if (incomplete.length) chosen.notes.push(`skipped ${incomplete.length} unfinished backup(s) without a manifest: ${incomplete.join(', ')}`);
  return chosen;
}

/** Size first (cheap, catches truncation), then SHA-256 of the whole file, streamed. */
async function verifyChunk(dir: string, table: string, chunk: ManifestTable['chunks'][number]): Promise<void> {
  if (!CHUNK_FILE.test(chunk.file)) throw new BackupError(join(dir, chunk.file), 'not a chunk file name');
  const path = join(dir, chunk.file);
  const where = `chunk of ${table}`;
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new BackupError(path, `missing (${where}, ${chunk.rows} rows)`);
    throw new FileAccessError(path, `cannot read (${error.message})`, { hint: 'check its permissions' });
  });
  if (!info.isFile()) throw new BackupError(path, `not a regular file (${where})`);
  if (info.size !== chunk.bytes)
    throw new BackupError(path, `${info.size} bytes, the manifest lists ${chunk.bytes} (${where}${info.size < chunk.bytes ? ', truncated' : ''})`);
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), async (source: AsyncIterable<Buffer>) => {
    for await (const block of source) hash.update(block);
  });
  const got = hash.digest('hex');
  if (got !== chunk.sha256) throw new BackupError(path, `SHA-256 mismatch (${where}): expected ${chunk.sha256}, got ${got}`);
}

/** Every table whose chunk files a backup holds: the live part's, then the archive's. */
export function chunkTables(m: Pick<Manifest, 'tables' | 'archive'>): ManifestTable[] {
  return [...m.tables, ...(m.archive?.tables ?? [])];
}

/** Checks every chunk of `tables`; the first problem is thrown, naming the file. */
export async function verifyChunks(
  dir: string,
  tables: readonly ManifestTable[],
  options: { threads?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<{ chunks: number; bytes: number }> {
  const limit = pLimit(Math.max(1, options.threads ?? 2));
  const all = tables.flatMap((t) => t.chunks.map((c) => ({ t, c })));
  const total = all.reduce((a, x) => a + x.c.bytes, 0);
  let done = 0;
  await Promise.all(
    all.map(({ t, c }) =>
      limit(async () => {
        try {
          await verifyChunk(dir, t.name, c);
        } catch (error) {
          limit.clearQueue();
          throw error;
        }
        done += c.bytes;
        options.onProgress?.(done, total);
      }),
    ),
  );
  return { chunks: all.length, bytes: total };
}
