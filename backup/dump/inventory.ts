/**
 * The backups in a folder: `dualpipe backup list`, `prune` and `verify` work from this. A backup
 * folder is `dualpipe-*`; it is complete when its manifest parses. `verification.json` beside the
 * manifest records the last verify (written by `backup verify`).
 */
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError } from '../../src/errors.js';
import { MANIFEST_FILE, type ManifestFile, parseManifestFile } from '../format/manifest.js';
import { type BackupEntry, planPrune, type PruneDecision } from './prune-plan.js';
import { type KnownErasure, markForgotten } from './forgotten-backups.js';

/** The file beside a backup's manifest that records its last `backup verify`. */
export const VERIFICATION_FILE = 'verification.json';

/** The outcome of the last `backup verify` of one backup, as `verification.json` holds it. */
export interface Verification {
  /** When the verify ran (ISO 8601). */
  at: string;
  ok: boolean;
  /**
   * The verify included a test restore into a scratch schema (`--restore-test`), not only the
   * check of every chunk's SHA-256.
   */
  restoreTest: boolean;
  /** One line for `backup list`: what matched, or what failed. */
  message: string;
}

/** One backup of a folder as `backup list` shows it. */
export interface BackupInfo extends BackupEntry {
  dir: string;
  bytes: number;
  tables: number | null;
  rows: number | null;
  syncRunId: number | null;
  compression: string | null;
  /** Why the backup cannot be used, for incomplete or damaged ones. */
  problem: string | null;
  verification: Verification | null;
  /** The manifest as written (an encrypted backup's table list stays sealed). */
  manifest: ManifestFile | null;
  /** Key id of an encrypted backup. */
  keyId: string | null;
  /** Ids of the erasures whose subjects this backup still holds (forgotten-backups.ts); empty for an incomplete one. */
  forgotten: string[];
}

/**
 * Total bytes of a backup folder, and when anything in it last changed: its newest file, or the
 * folder itself when it holds no file (a backup that failed at its first write was "now" for ever
 * before, so prune never removed it).
 */
async function folderBytes(dir: string): Promise<{ bytes: number; newest: number }> {
  let bytes = 0;
  let newest = (await stat(dir)).mtimeMs;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const s = await stat(join(e.parentPath ?? e.path, e.name));
    bytes += s.size;
    newest = Math.max(newest, s.mtimeMs);
  }
  return { bytes, newest };
}

/** The backups in a folder, complete or not, with their verification. */
export async function listBackups(folder: string, liveErasures: readonly KnownErasure[] = []): Promise<BackupInfo[]> {
  const root = resolve(folder);
  const entries = await readdir(root, { withFileTypes: true }).catch(() => {
    throw new UsageError(`--in ${folder}: no such directory`, { hint: 'pass the folder given to `backup --to`' });
  });
  const out: BackupInfo[] = [];
  for (const e of entries.filter((x) => x.isDirectory() && x.name.startsWith('dualpipe-')).sort((a, b) => a.name.localeCompare(b.name))) {
    const dir = join(root, e.name);
    const { bytes, newest } = await folderBytes(dir);
    let manifest: ManifestFile | null = null;
    let problem: string | null = null;
    try {
      manifest = parseManifestFile(await readFile(join(dir, MANIFEST_FILE), 'utf8'), join(dir, MANIFEST_FILE));
    } catch (error) {
      problem = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'incomplete: no manifest' : (error as Error).message;
    }
    const verification = await readFile(join(dir, VERIFICATION_FILE), 'utf8')
      .then((t) => JSON.parse(t) as Verification)
      .catch(() => null);
    out.push({
      name: e.name,
      dir,
      complete: manifest !== null,
      at: manifest ? new Date(manifest.finishedAt) : new Date(newest),
      bytes,
      tables: manifest?.totals.tables ?? null,
      rows: manifest?.totals.rows ?? null,
      syncRunId: manifest?.sync.runId ?? null,
      compression: manifest?.compression ?? null,
      problem,
      verification,
      manifest,
      keyId: manifest?.encryption?.keyId ?? null,
      forgotten: [],
    });
  }
  for (const [name, ids] of markForgotten(out, liveErasures)) out.find((b) => b.name === name)!.forgotten = ids;
  return out;
}

/**
 * Records the outcome of a verify in the backup's folder (mode 0600), replacing the previous one.
 */
export async function writeVerification(dir: string, v: Verification): Promise<void> {
  await writeFile(join(dir, VERIFICATION_FILE), `${JSON.stringify(v, null, 2)}\n`, { mode: 0o600 });
}

/** Applies retention (`planPrune`); with `dryRun` only says what it would delete. */
export async function pruneBackups(
  folder: string,
  options: { keepLast: number; keepDays?: number; incompleteGraceHours?: number; now: Date; dryRun?: boolean; forgotten?: { liveErasures: readonly KnownErasure[] } },
): Promise<PruneDecision> {
  const backups = await listBackups(folder, options.forgotten?.liveErasures);
  const { forgotten, ...retention } = options;
  const decision = planPrune(backups, { ...retention, ...(forgotten ? { forgotten: new Map(backups.map((b) => [b.name, b.forgotten])) } : {}) });
  if (!options.dryRun) {
    for (const r of decision.remove) await rm(join(resolve(folder), r.name), { recursive: true, force: true });
  }
  return decision;
}
