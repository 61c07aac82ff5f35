/**
 * `backup --copy-to DIR`: a second copy of a finished backup in another place (another disk, a
 * mounted remote share). The chunks (and the erasure ledger file) are copied under `<name>.partial`,
 * every copied file is read back and checked against the manifest's SHA-256, the manifest goes in last, and one rename gives
 * the copy its name. A copy cut short has no manifest under its final name, so nothing ever
 * restores it; the next copy to that place replaces the leftover.
 */
import { constants } from 'node:fs';
import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../../src/errors.js';
import { MANIFEST_FILE, type Manifest } from '../format/manifest.js';
import { checkedLedgerBytes } from '../format/ledger-file.js';
import { chunkTables, verifyChunks } from '../format/read-backup.js';
import { fsyncPath } from '../format/write-manifest.js';

/**
 * Where `copyBackup` put the second copy, and the chunks and bytes it read back from there and
 * checked.
 */
export interface BackupCopy {
  dir: string;
  chunks: number;
  bytes: number;
}

/**
 * Copies the finished backup in `dir` to `<toParent>/<its name>`: the chunks, each read back and
 * checked against the manifest's SHA-256 (`threads` at a time), then the manifest, then one rename.
 * `toParent` may not be the folder the backup is in: the copy takes the backup's own name, and
 * whatever holds that name is removed before the rename.
 */
export async function copyBackup(dir: string, manifest: Manifest, toParent: string, options: { threads?: number } = {}): Promise<BackupCopy> {
  const source = resolve(dir);
  const final = join(resolve(toParent), basename(source));
  if (dirname(final) === dirname(source)) {
    throw new UsageError(`--copy-to ${toParent} is the folder the backup is written to`, { hint: 'name another disk or mount for the second copy' });
  }
  const partial = `${final}.partial`;
  await rm(partial, { recursive: true, force: true });
  try {
    // One level at a time (the parent was checked): see backup-target.ts on recursive mkdir.
    await mkdir(partial, { mode: 0o700 });
    await mkdir(join(partial, 'chunks'), { mode: 0o700 });
    for (const t of chunkTables(manifest)) {
      for (const c of t.chunks) {
        await copyFile(join(source, c.file), join(partial, c.file), constants.COPYFILE_EXCL);
        await fsyncPath(join(partial, c.file));
      }
    }
    // The erasure ledger travels with the chunks: a restore from the copy needs it (and checks it).
    const ledger = manifest.erasureLedger;
    if (ledger) {
      await copyFile(join(source, ledger.file), join(partial, ledger.file), constants.COPYFILE_EXCL);
      await fsyncPath(join(partial, ledger.file));
    }
    // Read back from the copy: this is what a restore from the second place would read.
    const verified = await verifyChunks(partial, chunkTables(manifest), options.threads ? { threads: options.threads } : {});
    if (ledger) await checkedLedgerBytes(partial, ledger);
    await copyFile(join(source, MANIFEST_FILE), join(partial, MANIFEST_FILE), constants.COPYFILE_EXCL);
    await fsyncPath(join(partial, MANIFEST_FILE));
    await rm(final, { recursive: true, force: true });
    await rename(partial, final);
    await fsyncPath(dirname(final));
    return { dir: final, chunks: verified.chunks, bytes: verified.bytes };
  } catch (error) {
    // A copy cut short (a full disk) is removed so it does not keep the space; if that fails too,
    // it stays `.partial`, without a manifest, and `backup prune` removes it.
    await rm(partial, { recursive: true, force: true }).catch(() => {});
    throw error;
  }
}
