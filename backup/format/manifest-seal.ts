/**
 * The encrypted manifest: with a key, `tables` (names, DDL, checksums, chunk hashes) is sealed
 * with AES-256-GCM on disk, the rest of the manifest bound to it as additional data. Opening
 * checks the key id first, so a wrong key is named before anything is decrypted.
 */
import { BackupError, InternalError, UsageError } from '../../src/errors.js';
import type { BackupKey } from './backup-key.js';
import { type Manifest, type ManifestFile, parseArchive, parseManifestFile, parseTables } from './manifest.js';
import { openJson, sealJson } from './seal-json.js';

const KEY_HINT = 'pass the key it was written with: --encrypt-key-file FILE';

/**
 * The full manifest: the table list as written, or unsealed with `key`. An encrypted backup without
 * a key, or with another key (told apart by the key id, before any decryption), is refused here,
 * before a restore or verify reads or writes anything.
 */
export function openManifest(m: ManifestFile, file: string, key?: BackupKey): Manifest {
  const { sealed, tables, ...clear } = m;
  if (tables) {
    // A key with a clear manifest: refused, or an encrypted backup whose manifest was swapped for a
    // clear one (with chunks of someone's choosing) would verify and restore as if nothing happened.
    if (key)
      throw new UsageError(`${file}: the backup is not encrypted, but a key was given`, {
        hint: 'leave out --encrypt-key-file for an unencrypted backup; if this backup was written encrypted, its manifest was replaced: use another backup',
      });
    return { ...clear, tables };
  }
  const id = m.encryption!.keyId;
  if (!key) throw new UsageError(`${file}: the backup is encrypted (key id ${id})`, { hint: KEY_HINT });
  if (key.id !== id)
    throw new UsageError(`${file}: the backup was encrypted with key id ${id}, the key in ${key.file} has id ${key.id}`, { hint: KEY_HINT });
  const opened = openJson(key.key, sealed!, clear);
  if (opened === undefined)
    throw new BackupError(file, 'the sealed table list fails authentication: the manifest was changed', {
      hint: 'the manifest is damaged or was tampered with: use another backup',
    });
  // A backup with an archive seals `{ tables, archive }`; one without (and every older one) the bare table list.
  if (Array.isArray(opened)) return { ...clear, tables: parseTables(opened, m.compression, file) };
  const both = (opened ?? {}) as { tables?: unknown; archive?: unknown };
  const list = parseTables(both.tables, m.compression, file);
  return { ...clear, tables: list, archive: parseArchive(both.archive, list, m.compression, file) };
}

/** Parses manifest text and opens it (with `key` when the backup is encrypted). */
export function parseManifest(text: string, file: string, key?: BackupKey): Manifest {
  return openManifest(parseManifestFile(text, file), file, key);
}

/** What is written to disk: with `encryption` set, the table list sealed under the key. */
export function manifestForDisk(m: Manifest, key?: BackupKey): ManifestFile {
  if (!m.encryption) return m;
  // run-backup.ts sets `encryption` from the very key it passes here: another key is a bug.
  if (!key || key.id !== m.encryption.keyId) throw new InternalError('manifestForDisk', 'the key does not match the manifest');
  const { tables, archive, ...clear } = m;
  return { ...clear, sealed: sealJson(key.key, archive ? { tables, archive } : tables, clear) };
}
