import { open, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackupKey } from './backup-key.js';
import { MANIFEST_FILE, type Manifest } from './manifest.js';
import { manifestForDisk } from './manifest-seal.js';

/** Flushes a file or directory to disk. */
export async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Writes the manifest last and atomically: to a temporary name, flushed, then renamed. Until the
 * rename the backup has no manifest and counts as incomplete.
 */
export async function writeManifest(dir: string, manifest: Manifest, key?: BackupKey): Promise<void> {
  const tmp = join(dir, `${MANIFEST_FILE}.tmp`);
  await writeFile(tmp, `${JSON.stringify(manifestForDisk(manifest, key), null, 2)}\n`, { mode: 0o600 });
  await fsyncPath(tmp);
  await rename(tmp, join(dir, MANIFEST_FILE));
  await fsyncPath(dir);
}
