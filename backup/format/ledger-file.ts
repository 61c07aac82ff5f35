/**
 * The erasure ledger inside a backup: the report side's ledger (src/erasure/) as JSON lines in
 * `erasure-ledger.jsonl`, gzipped when the backup's chunks are compressed (gzip also for a zstd
 * backup: the file is small, and zlib needs no zstd to read it back) and encrypted with the
 * chunks' cipher when the backup is. The manifest records its size, SHA-256 and erasures
 * (`erasureLedger`); a backup whose ledger was empty, or an older backup, has no file.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { gunzipSync, gzipSync } from 'node:zlib';
import { BackupError } from '../../src/errors.js';
import { type ErasureLedger, ledgerFromLines, ledgerLines } from '../../src/erasure/ledger.js';
import { decryptChunk, encryptChunk } from './chunk-cipher.js';
import type { Compression } from './chunk-compression.js';
import type { Manifest } from './manifest-schema.js';

/** What the manifest records about a backup's ledger file. */
export type LedgerRecord = NonNullable<Manifest['erasureLedger']>;

/** Writes `ledger` into the backup folder `dir`; the manifest's record of it, or undefined (nothing written) when it is empty. */
export async function writeLedgerFile(dir: string, ledger: ErasureLedger, compression: Compression, key?: Buffer): Promise<LedgerRecord | undefined> {
  if (ledger.entries.length === 0) return undefined;
  const file = compression === 'none' ? 'erasure-ledger.jsonl' : 'erasure-ledger.jsonl.gz';
  let bytes = Buffer.from([...ledgerLines(ledger)].map((l) => `${l}\n`).join(''), 'utf8');
  if (compression !== 'none') bytes = gzipSync(bytes);
  if (key) bytes = await buffer(Readable.from([bytes]).pipe(encryptChunk(key, file)));
  await writeFile(join(dir, file), bytes, { mode: 0o600 });
  return { file, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), erasures: ledger.entries.map((e) => ({ id: e.id, erasedAt: e.erasedAt })) };
}

/** The ledger file's bytes as written, checked against the manifest's size and SHA-256 (no key needed). */
export async function checkedLedgerBytes(dir: string, record: LedgerRecord): Promise<Buffer> {
  const path = join(dir, record.file);
  const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new BackupError(path, `cannot read the erasure ledger (${error.code ?? error.message})`, { hint: 'the backup is damaged: use another backup' });
  });
  if (bytes.length !== record.bytes || createHash('sha256').update(bytes).digest('hex') !== record.sha256)
    throw new BackupError(path, `the erasure ledger does not match the manifest (${bytes.length} bytes, ${record.bytes} listed, or another SHA-256)`, { hint: 'the backup is damaged: use another backup' });
  return bytes;
}

/** Reads and checks (size, SHA-256, erasures against the manifest) the ledger file of the backup in `dir`. */
export async function readLedgerFile(dir: string, record: LedgerRecord, key?: Buffer): Promise<ErasureLedger> {
  const path = join(dir, record.file);
  let bytes = await checkedLedgerBytes(dir, record);
  if (key) bytes = await buffer(Readable.from([bytes]).pipe(decryptChunk(key, record.file)));
  if (record.file.endsWith('.gz')) bytes = gunzipSync(bytes, { maxOutputLength: 1 << 30 });
  const ledger = ledgerFromLines(bytes.toString('utf8').split('\n'), path);
  const listed = new Set(record.erasures.map((e) => e.id));
  if (ledger.entries.length !== listed.size || ledger.entries.some((e) => !listed.has(e.id)))
    throw new BackupError(path, `the erasure ledger holds ${ledger.entries.length} erasures, the manifest lists ${listed.size}`, { hint: 'the backup is damaged: use another backup' });
  return ledger;
}
