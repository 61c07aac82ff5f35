/**
 * The folders a backup writes to (`--to`, `--copy-to`), and file-system faults there as ordinary
 * errors: one line naming the folder and the system's code, never "this looks like a bug".
 *
 * A missing folder is refused unless `create` is set: an off-site mount that is not mounted looks
 * like an empty folder on the local disk, and writing there fills the wrong disk. Folders are made
 * one level at a time, never with `mkdir({ recursive: true })`: Node's recursive mkdir loops for
 * ever, at full CPU, under /proc (mkdir there gives ENOENT, the parent then gives EEXIST, and it
 * tries the child again).
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { type DualpipeError, TargetError, TargetPathError } from '../../src/errors.js';

/** Codes that mean the folder cannot be used as given (exit 2); anything else is a fault (exit 1). */
const PATH_CODES: Readonly<Record<string, string>> = {
  ENOENT: 'no such directory',
  ENOTDIR: 'not a directory',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'already exists',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many symbolic links',
};

/** What a fault code says, in words. */
const FAULT_CODES: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EFBIG: 'file too large',
};

function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/**
 * `error` as a typed target error when it is a file-system fault at `path` (a `DualpipeError`
 * passes through; found in its `cause` chain too, as a `StepError` wraps it); otherwise undefined.
 * `what` says what was being done ("writing the backup").
 */
export function targetErrorOf(path: string, error: unknown, what: string): DualpipeError | undefined {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof TargetError || e instanceof TargetPathError) return e;
    const code = errnoOf(e);
    if (!code || !(e as { syscall?: unknown }).syscall) continue;
    if (PATH_CODES[code]) {
      return new TargetPathError(path, `${PATH_CODES[code]} (${code}) while ${what}`, {
        errno: code,
        cause: e,
        hint: 'name a folder dualpipe may write to (check the mount and its permissions)',
      });
    }
    return new TargetError(path, `${FAULT_CODES[code] ?? (e as Error).message} (${code}) while ${what}`, {
      errno: code,
      cause: e,
      hint: code === 'ENOSPC' || code === 'EDQUOT' ? 'free space there (`dualpipe backup prune`), or back up to another disk' : 'check that disk, or back up to another one',
    });
  }
  return undefined;
}

/** Runs a file-system step at the target `path`, its faults as typed errors naming the folder. */
export async function atTarget<T>(path: string, what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw targetErrorOf(path, error, what) ?? error;
  }
}

/**
 * Checks that `path` is a directory dualpipe can write backups under; with `create`, makes it (and
 * missing parents) first. `flag` names the option in messages (`--to`). Returns the absolute path.
 */
export async function prepareTarget(path: string, flag: string, options: { create?: boolean } = {}): Promise<string> {
  const dir = resolve(path);
  const fail = (error: unknown) => targetErrorOf(`${flag} ${path}`, error, 'checking the folder') ?? error;
  const found = await stat(dir).catch((error: unknown) => {
    if (errnoOf(error) === 'ENOENT') return undefined;
    throw fail(error);
  });
  if (!found) {
    if (!options.create) {
      throw new TargetPathError(`${flag} ${path}`, 'no such directory', {
        errno: 'ENOENT',
        hint: 'create it (or mount it) first, or pass --create-dirs to let dualpipe create it',
      });
    }
    await makeDirs(dir).catch((error: unknown) => {
      throw fail(error);
    });
  } else if (!found.isDirectory()) {
    throw new TargetPathError(`${flag} ${path}`, 'not a directory', { errno: 'ENOTDIR', hint: 'name a folder, not a file' });
  }
  return dir;
}

/** Makes `dir` and its missing parents, one level at a time (see the file header for why). */
async function makeDirs(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    const exists = await stat(d).then(
      () => true,
      (error: unknown) => {
        if (errnoOf(error) !== 'ENOENT') throw error;
        return false;
      },
    );
    if (exists || dirname(d) === d) break;
    missing.unshift(d);
  }
  for (const d of missing) {
    await mkdir(d, { mode: 0o755 }).catch((error: unknown) => {
      if (errnoOf(error) !== 'EEXIST') throw error;
    });
  }
}

/**
 * Creates `base` (mode 700) with its `chunks/` folder, or `base-2`, `base-3` … when it exists:
 * backup names have one-second resolution, so a backup run again in the same second (after one
 * killed as it started) takes the next suffix, which sorts after it. `onMade` hears the folder as
 * soon as it exists, so a failure creating `chunks/` still removes it. One level at a time (the
 * parent exists): see the top of this file on recursive mkdir.
 */
export async function createFreshFolder(base: string, onMade: (dir: string) => void): Promise<string> {
  for (let n = 1; ; n++) {
    const dir = n === 1 ? base : `${base}-${n}`;
    try {
      await mkdir(dir, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && n < 100) continue;
      throw error;
    }
    onMade(dir);
    await mkdir(join(dir, 'chunks'), { mode: 0o700 });
    return dir;
  }
}

/** The folder name of a backup started at `now`: `dualpipe-YYYYMMDDTHHMMSSZ` (UTC, sorts by time). */
export function backupDirName(now: Date): string {
  return `dualpipe-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
}
