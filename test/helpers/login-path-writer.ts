/**
 * Writes a MySQL login path file (~/.mylogin.cnf) as mysql_config_editor does: 4 zero bytes, a
 * random 20-byte key, then each line AES-128-ECB encrypted with the key folded onto 16 bytes, behind
 * its 4-byte little-endian length. Tests use it to log in to a real server through the file; the
 * decoder itself is checked against a file MySQL's own tool wrote (test/src/config/fixtures).
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';

/** Encodes option-file text (one chunk per line) into login path file bytes. */
export function encodeLoginPathFile(text: string): Buffer {
  const fileKey = randomBytes(20);
  const key = Buffer.alloc(16);
  for (let i = 0; i < 20; i++) key[i % 16] = key[i % 16]! ^ fileKey[i]!;
  const parts: Buffer[] = [Buffer.alloc(4), fileKey];
  for (const line of text.split('\n').filter((l) => l !== '')) {
    const cipher = createCipheriv('aes-128-ecb', key, null);
    const body = Buffer.concat([cipher.update(`${line}\n`, 'utf8'), cipher.final()]);
    const length = Buffer.alloc(4);
    length.writeInt32LE(body.length);
    parts.push(length, body);
  }
  return Buffer.concat(parts);
}

/** Writes `text` as a login path file at `path`, mode 600. */
export function writeLoginPathFile(path: string, text: string): void {
  writeFileSync(path, encodeLoginPathFile(text));
  chmodSync(path, 0o600);
}
