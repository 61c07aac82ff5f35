/**
 * The erasure ledger's hashing key: 32 bytes in a file, the format of a backup key (make one with
 * `dualpipe backup keygen FILE`). The ledger records every erased row's primary key as an
 * HMAC-SHA256 under this key, never the key values themselves: the ledger (and every backup that
 * holds it) cannot tell anyone which customer was forgotten, yet a restore holding the key can
 * recognise the rows it must withhold. Keep the file with the backup key: a restore of a database
 * that has forgotten someone needs it. Only the key's id (a hash, useless for hashing) is stored.
 */
import { createHash, createHmac } from 'node:crypto';
import { readSecretKeyFile } from '../config/secret-key-file.js';
import { UsageError } from '../errors.js';

/** An erasure key and its id. */
export interface ErasureKey {
  /** The 32 key bytes: never logged, never written. */
  readonly key: Buffer;
  /** Hash of the key, recorded with each ledger entry. */
  readonly id: string;
  /** The file it came from (for messages). */
  readonly file: string;
}

const HINT = 'the erasure key file holds 32 bytes as 64 hex digits or base64; make one with `dualpipe backup keygen FILE` and keep it with the backup key';

/** The ledger's key id: the first 16 bytes of SHA-256 over a label and the key (a different label from a backup key's id). */
export function erasureKeyId(key: Buffer): string {
  return createHash('sha256').update('dualpipe-erasure-key-id\0').update(key).digest('hex').slice(0, 32);
}

/** An erasure key from its bytes (tests, and callers that hold the bytes already). */
export function erasureKeyOf(key: Buffer, file = '(in memory)'): ErasureKey {
  if (key.length !== 32) throw new UsageError(`erasure key ${file}: ${key.length} bytes, not 32`, { hint: HINT });
  return { key, id: erasureKeyId(key), file };
}

/** Reads the erasure key file; a file others can read is warned about through `warn`. */
export async function readErasureKey(file: string, warn: (message: string) => void = () => {}): Promise<ErasureKey> {
  return erasureKeyOf(await readSecretKeyFile(file, HINT, warn), file);
}

/**
 * The keyed hash of one row's primary key, as lowercase hex: HMAC-SHA256 over the table name, a
 * NUL, then each key value as a 4-byte length and its bytes. Values are the bytes the server sends
 * for the column in the text protocol (`SqlConnection.stream` with `raw`): numbers, dates and times
 * as their text, strings in UTF-8, binary as is; so a row read from the source, a staging table or
 * a mirror with the same column type hashes the same.
 */
export function rowKeyHash(key: ErasureKey, table: string, values: readonly (string | Buffer | null | undefined)[]): string {
  const h = createHmac('sha256', key.key);
  h.update(table, 'utf8');
  h.update(Buffer.of(0));
  for (const v of values) {
    const bytes = v === null || v === undefined ? undefined : Buffer.isBuffer(v) ? v : Buffer.from(typeof v === 'string' ? v : JSON.stringify(v), 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes ? bytes.length : 0xffffffff);
    h.update(len);
    if (bytes) h.update(bytes);
  }
  return h.digest('hex');
}
