/**
 * A 256-bit secret read from a file, written as 64 hex digits or as base64: the format of the
 * backup encryption key (backup/format/backup-key.ts) and of the erasure ledger's hashing key
 * (src/erasure/erasure-key.ts). The bytes are never logged or written anywhere.
 */
import { readFile, stat } from 'node:fs/promises';
import { UsageError } from '../errors.js';

/** Parses key file text: 64 hex digits, or base64 of exactly 32 bytes; whitespace around is ignored. */
export function parseSecretKeyText(text: string, file: string, hint: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const b = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (b.length === 32) return b;
  }
  throw new UsageError(`key file ${file}: not a 256-bit key`, { hint });
}

/**
 * Reads a key file. `warn` gets one line when the file can be read by its group or by others: the
 * key is then as safe as the least careful account on the machine.
 */
export async function readSecretKeyFile(file: string, hint: string, warn: (message: string) => void = () => {}): Promise<Buffer> {
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`key file ${file}: ${error.code === 'ENOENT' ? 'no such file' : `cannot read (${error.code ?? error.message})`}`, { hint });
  });
  if (!info.isFile()) throw new UsageError(`key file ${file}: not a regular file`, { hint });
  if (info.size > 4096) throw new UsageError(`key file ${file}: ${info.size} bytes is too large for a key`, { hint });
  if ((info.mode & 0o077) !== 0) {
    warn(`key file ${file} is readable by ${info.mode & 0o007 ? 'every account on this machine' : 'its group'} (mode ${(info.mode & 0o777).toString(8)}): run \`chmod 600 ${file}\``);
  }
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`key file ${file}: cannot read (${error.code ?? error.message})`, { hint: 'check its permissions' });
  });
  return parseSecretKeyText(text, file, hint);
}
