/**
 * Loads the lines of one chunk a merge chose (merge-line-filter.ts) into its scratch table: read,
 * hashed, decrypted (each segment authenticated), decompressed, filtered, and streamed to LOAD DATA
 * LOCAL; or, when the chunk records its blocks (chunk-key-ranges.ts), only the blocks chosen, each
 * checked against its own size and SHA-256 (and, encrypted, only the segments holding them, each
 * authenticated). The file must have the size and SHA-256 the manifest records (checked as it streams, so
 * it is read once: the scratch schema is not live, and nothing is inserted until every chunk
 * passed), its lines must number the rows recorded, and LOAD must take every line kept without a
 * warning, or the merge fails before anything is inserted.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { open } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SqlConnection } from '../../src/db/connection.js';
import { BackupError, DualpipeError, StepError } from '../../src/errors.js';
import { decryptChunk, decryptRange, type ReadAt, SEGMENT } from '../format/chunk-cipher.js';
import { unpackBlock } from '../format/block-packer.js';
import { compressionOfFile, decompressStage } from '../format/chunk-compression.js';
import { isIntegerColumn } from '../format/chunk-key-index.js';
import type { ManifestChunk, ManifestTable } from '../format/manifest.js';
import type { MarkedReference } from './merge-chunks.js';
import { type FieldTest, inRange, inSet, integerText, LineFilter, type LineMatch } from './merge-line-filter.js';
import type { FilterCondition } from './where-filter.js';

/** Without a recorded size (not written by this version), a gzip chunk is capped at deflate's largest ratio. */
const DEFLATE_MAX_RATIO = 1032;

/** The field of `column` in the table's lines when it holds integers, else undefined (no test on it). */
function integerField(t: ManifestTable, column: string): number | undefined {
  const i = t.columns.findIndex((c) => c.name === column);
  return i >= 0 && isIntegerColumn(t.columns[i]!) ? i : undefined;
}

/** The lines of the root table `--where` can choose: tested on its integer columns with integer values. */
export function rootMatch(t: ManifestTable, conditions: readonly FilterCondition[]): LineMatch {
  const tests: FieldTest[] = [];
  for (const c of conditions) {
    const field = integerField(t, c.column);
    const values = c.values.map((v) => integerText(String(v)));
    if (field === undefined || values.some((v) => v === undefined)) continue;
    tests.push(c.op === 'BETWEEN' ? inRange(field, BigInt(values[0]!), BigInt(values[1]!)) : inSet(field, new Set(values as string[])));
  }
  return [tests];
}

/** The lines of a dependent table that can reference a marked parent row through one of `refs`. */
export function dependentMatch(t: ManifestTable, refs: readonly MarkedReference[]): LineMatch {
  if (refs.length === 0) return undefined;
  return refs.map((ref) =>
    ref.columns.flatMap((col, i) => {
      const field = integerField(t, col);
      const values = ref.values[i];
      return field === undefined || values === undefined ? [] : [inSet(field, new Set(values.map(String)))];
    }),
  );
}

/** One chunk to load with its filter. */
export interface FilteredLoad {
  dir: string;
  table: string;
  chunk: ManifestChunk;
  sql: string;
  match: LineMatch;
  /** ENUM columns loaded by index: warning 1265 on them is expected (load-chunk.ts). */
  indexColumns: readonly string[];
  key?: Buffer;
  /**
   * Read only these blocks of the chunk (indexes into its `blocks`, ascending), each checked
   * against its own size and SHA-256; absent: the whole chunk against the file's.
   */
  blocks?: readonly number[];
}

/**
 * Bytes of `c`'s file read for its block `k`: its member/frame when compressed, else its lines
 * (of the plaintext when encrypted: the segments around it are read too, not counted here).
 */
export function blockReadBytes(c: ManifestChunk, k: number): number {
  const b = c.blocks![k]!;
  return b.packed ?? b.bytes;
}

/** True when a merge can read `c` block by block: lines as they are, or one member/frame per block. */
function readsByBlock(c: ManifestChunk, key: Buffer | undefined): boolean {
  if (!c.blocks) return false;
  const packed = compressionOfFile(c.file) !== 'none';
  if (packed && c.blocks.some((b) => b.packed === undefined)) return false;
  // Encrypted, a block is found by its plaintext offset, which needs the plaintext's size.
  return !key || packed || c.rawBytes !== undefined;
}

/**
 * The bytes of the chosen blocks of a chunk file, in order, read from their offsets: each block's
 * size and SHA-256 are checked as it streams, and the merge fails at the first that differs. In
 * an encrypted chunk a block's offsets are of the plaintext: only the segments holding it are
 * read, each authenticated (chunk-cipher.ts), piece by piece of at most one segment. In a
 * compressed chunk a block is its own gzip member: its compressed range is read (decrypted) whole,
 * decompressed, and checked by the block's plain size and SHA-256.
 */
async function* blockBytes(path: string, c: ManifestChunk, chosen: readonly number[], key?: Buffer): AsyncGenerator<Buffer> {
  const blocks = c.blocks ?? [];
  const compression = compressionOfFile(c.file);
  const packed = compression !== 'none';
  const offsets: number[] = [];
  for (let k = 0, at = 0; k < blocks.length; at += packed ? blocks[k]!.packed! : blocks[k]!.bytes, k++) offsets.push(at);
  // The cipher's plaintext: the compressed bytes when compressed, the lines when not.
  const plainBytes = packed ? blocks.reduce((a, b) => a + b.packed!, 0) : c.rawBytes!;
  const fh = await open(path, 'r');
  const readAt: ReadAt = async (position, length) => {
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await fh.read(buf, got, length - got, position + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  };
  const read = (at: number, n: number) => (key ? decryptRange(key, c.file, readAt, plainBytes, at, at + n) : readAt(at, n));
  try {
    const size = (await fh.stat()).size;
    if (size !== c.bytes) throw new BackupError(path, `${size} bytes, the manifest lists ${c.bytes}: damaged or changed`);
    for (const k of chosen) {
      const b = blocks[k]!;
      const hash = createHash('sha256');
      if (packed) {
        const member = await read(offsets[k]!, b.packed!);
        if (member.length !== b.packed) throw new BackupError(path, `ends inside block ${k}: damaged`);
        const lines = await unpackBlock(compression, path, member, b.bytes);
        if (lines.length !== b.bytes) throw new BackupError(path, `block ${k} holds ${lines.length} bytes of lines, the manifest lists ${b.bytes}: damaged or changed`);
        hash.update(lines);
        const sha256 = hash.digest('hex');
        if (sha256 !== b.sha256)
          throw new BackupError(path, `block ${k} (${b.packed} bytes at ${offsets[k]}) has SHA-256 ${sha256} decompressed, the manifest lists ${b.sha256}: damaged or changed`);
        yield lines;
        continue;
      }
      for (let done = 0; done < b.bytes; ) {
        const at = offsets[k]! + done;
        const n = key ? Math.min(b.bytes - done, SEGMENT - (at % SEGMENT)) : Math.min(256 * 1024, b.bytes - done);
        const part = await read(at, n);
        if (part.length !== n) throw new BackupError(path, `ends inside block ${k}: damaged`);
        hash.update(part);
        done += n;
        yield part;
      }
      const sha256 = hash.digest('hex');
      if (sha256 !== b.sha256)
        throw new BackupError(path, `block ${k} (${b.bytes} bytes at ${offsets[k]}) has SHA-256 ${sha256}, the manifest lists ${b.sha256}: damaged or changed`);
    }
  } finally {
    await fh.close();
  }
}

/** Loads the chunk's matching lines; returns how many. */
export async function loadFiltered(conn: SqlConnection, o: FilteredLoad): Promise<number> {
  const c = o.chunk;
  const path = join(o.dir, c.file);
  const compression = compressionOfFile(c.file);
  // Blocks are byte ranges of the lines, or of one member/frame each; of an encrypted file's plaintext.
  const chosen = o.blocks && readsByBlock(c, o.key) ? o.blocks : undefined;
  const limit = chosen ? chosen.reduce((a, k) => a + c.blocks![k]!.bytes, 0) : c.rawBytes ?? (compression === 'gzip' ? c.bytes * DEFLATE_MAX_RATIO + 1024 * 1024 : undefined);
  const filter = new LineFilter(o.match, limit, path);
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(block: Buffer, _enc, cb) {
      hash.update(block);
      size += block.length;
      cb(null, block);
    },
  });
  const source = (): Readable => {
    if (chosen) {
      pipeline([Readable.from(blockBytes(path, c, chosen, o.key), { objectMode: false }), filter]).catch((error: unknown) => filter.destroy(error as Error));
      return filter;
    }
    const stages: NodeJS.ReadWriteStream[] = [tap];
    if (o.key) stages.push(decryptChunk(o.key, c.file));
    const unpack = decompressStage(compression, c.file);
    if (unpack) stages.push(unpack);
    pipeline([createReadStream(path, { highWaterMark: 256 * 1024 }), ...stages, filter]).catch((error: unknown) => filter.destroy(error as Error));
    return filter;
  };
  let result;
  try {
    result = await conn.loadInfile(o.sql, source);
  } catch (error) {
    if (error instanceof DualpipeError) throw error;
    throw new StepError(`merge: loading chunk ${c.file}`, o.table, { cause: error });
  }
  if (chosen) {
    const rows = chosen.reduce((a, k) => a + c.blocks![k]!.rows, 0);
    if (filter.seen !== rows) throw new BackupError(path, `its blocks ${chosen.join(', ')} hold ${filter.seen} lines, the manifest lists ${rows} rows: damaged`);
  } else {
    const sha256 = hash.digest('hex');
    if (size !== c.bytes || sha256 !== c.sha256)
      throw new BackupError(path, `${size} bytes with SHA-256 ${sha256}, the manifest lists ${c.bytes} bytes with ${c.sha256}: damaged or changed`);
    if (filter.seen !== c.rows) throw new BackupError(path, `holds ${filter.seen} lines, the manifest lists ${c.rows} rows: damaged`);
  }
  if (result.affectedRows !== filter.kept || result.warningStatus > 0) {
    const w = await conn.query<{ Level: string; Code: number; Message: string }>('SHOW WARNINGS').catch(() => []);
    const enumOnly =
      o.indexColumns.length > 0 &&
      w.length > 0 &&
      w.every((x) => Number(x.Code) === 1265 && o.indexColumns.some((col) => x.Message.startsWith(`Data truncated for column '${col}'`)));
    if (result.affectedRows !== filter.kept || !enumOnly)
      throw new StepError(`merge: loading chunk ${c.file}`, o.table, {
        detail: `loaded ${result.affectedRows} of ${filter.kept} rows with ${result.warningStatus} warning(s)${w[0] ? `; first warning: ${w[0].Level} ${w[0].Code} ${w[0].Message}` : ''}`,
      });
  }
  return filter.kept;
}
