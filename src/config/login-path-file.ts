/**
 * MySQL's login path file, `~/.mylogin.cnf`, written by `mysql_config_editor`: option-file text,
 * obfuscated (not encrypted: the key is in the file). Decoding it lets a DBA keep using
 * `mysql_config_editor set --login-path=…` instead of a plain-text password in `~/.my.cnf`.
 *
 * MySQL facts (mysys/my_default.cc, client/mysql_config_editor.cc; checked against MySQL 9.7's
 * `my_print_defaults --show`):
 * - Layout: 4 unused bytes, a 20-byte key, then chunks: a 4-byte little-endian length followed by
 *   that many bytes of AES-128-ECB cipher text (PKCS#7 padding), one chunk per line of text.
 * - The AES key is the 20 bytes folded onto 16 with XOR (byte i goes to i mod 16).
 * - Clients read it after every other option file, so it wins over them (command-line options
 *   still win over it). `--defaults-file` does not stop it; `--no-defaults` and
 *   `--no-login-paths` do. From it, a client reads `[client]`, its own groups, and the group named
 *   by `--login-path` (that group is read from this file only).
 * - `MYSQL_TEST_LOGIN_FILE` names another file.
 * - MariaDB's clients do not read it; reading it is harmless for a MariaDB user, who has none.
 */
import { createDecipheriv } from 'node:crypto';
import { ConfigError } from '../errors.js';

const UNUSED_BYTES = 4;
const KEY_BYTES = 20;
const AES_KEY_BYTES = 16;

/** The 16-byte AES key folded from the file's 20-byte key. */
function aesKey(fileKey: Uint8Array): Buffer {
  const key = Buffer.alloc(AES_KEY_BYTES);
  for (let i = 0; i < fileKey.length; i++) key[i % AES_KEY_BYTES] = key[i % AES_KEY_BYTES]! ^ fileKey[i]!;
  return key;
}

/** Decodes a login path file's bytes into option-file text; a malformed file is a ConfigError naming it. */
export function decodeLoginPathFile(bytes: Uint8Array, path: string): string {
  const bad = (why: string) =>
    new ConfigError(`login path file ${path} is not readable: ${why}`, {
      field: 'loginPath',
      hint: 'recreate it with `mysql_config_editor set`, or pass --no-login-paths',
    });
  if (bytes.length < UNUSED_BYTES + KEY_BYTES) throw bad('too short for its header');
  const key = aesKey(bytes.subarray(UNUSED_BYTES, UNUSED_BYTES + KEY_BYTES));
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let text = '';
  let at = UNUSED_BYTES + KEY_BYTES;
  while (at < buf.length) {
    if (at + 4 > buf.length) throw bad('a chunk length is cut off');
    const length = buf.readInt32LE(at);
    at += 4;
    if (length <= 0 || length % AES_KEY_BYTES !== 0 || at + length > buf.length) throw bad('a chunk has a bad length');
    try {
      const decipher = createDecipheriv('aes-128-ecb', key, null);
      text += Buffer.concat([decipher.update(buf.subarray(at, at + length)), decipher.final()]).toString('utf8');
    } catch {
      throw bad('a chunk does not decode');
    }
    at += length;
  }
  return text;
}
