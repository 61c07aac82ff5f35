/**
 * The key of an encrypted backup: 32 bytes (AES-256) read from a file, written as 64 hex digits
 * or as base64. Only the key's id (a hash of it, useless for decryption) is ever written
 * anywhere, so a wrong key is recognised before a single chunk is read.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { parseSecretKeyText, readSecretKeyFile } from '../../src/config/secret-key-file.js';
import { UsageError } from '../../src/errors.js';

/** An AES-256 backup key and its id. */
export interface BackupKey {
  /** The 32 key bytes: never logged, never written. */
  readonly key: Buffer;
  /** Hash of the key, recorded in the manifest. */
  readonly id: string;
  /** The file it came from (for messages). */
  readonly file: string;
}

const KEY_HINT = 'the key file must hold 32 bytes as 64 hex digits or base64; make one with `dualpipe backup keygen FILE`';

/** The manifest's key id: the first 16 bytes of SHA-256 over a label and the key. */
export function keyId(key: Buffer): string {
  return createHash('sha256').update('dualpipe-backup-key-id\0').update(key).digest('hex').slice(0, 32);
}

/** Parses key file text: 64 hex digits, or base64 of exactly 32 bytes; whitespace around is ignored. */
export function parseKeyText(text: string, file: string): BackupKey {
  const key = parseSecretKeyText(text, file, KEY_HINT);
  return { key, id: keyId(key), file };
}

/**
 * Reads the key. `warn` gets one line when the file can be read by its group or by others: the
 * key is then as safe as the least careful account on the machine.
 */
export async function readBackupKey(file: string, warn: (message: string) => void = () => {}): Promise<BackupKey> {
  const key = await readSecretKeyFile(file, KEY_HINT, warn);
  return { key, id: keyId(key), file };
}

/** `dualpipe backup keygen FILE`: a new random key, written with mode 600; never overwrites a file. */
export async function writeNewKey(file: string): Promise<{ file: string; id: string }> {
  const key = randomBytes(32);
  const fh = await open(file, 'wx', 0o600).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`key file ${file}: ${error.code === 'EEXIST' ? 'already exists (a key is never overwritten)' : `cannot create (${error.code ?? error.message})`}`, {
      hint: 'name a new file',
    });
  });
  try {
    await fh.writeFile(`${key.toString('hex')}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return { file, id: keyId(key) };
}
