/**
 * Compression of a chunk block by block, for a merge restore that reads one block of a compressed
 * chunk by its offset (the manifest's `blocks[].packed`, load-filtered-chunk.ts).
 */
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { BackupError } from '../../src/errors.js';
import { type Compression, GZIP_LEVEL } from './chunk-compression.js';

/** Compresses one block of lines into a whole gzip member (or zstd frame) of its own. */
export type BlockPacker = (block: Buffer) => Promise<Buffer>;

const gzipAsync = promisify(zlib.gzip);
const gunzipAsync = promisify(zlib.gunzip);

/**
 * How a chunk of this kind is compressed block by block, or undefined when it is one stream (none;
 * zstd). Each block becomes its own gzip member (RFC 1952: concatenated members are one valid gzip
 * file, and gunzip reads them as one stream), so a merge can read one block by its offset. zlib's
 * one-shot `gzip()` runs on libuv's thread pool, so several blocks compress at once.
 *
 * zstd stays one stream: Node 20's zlib has no zstd, and the `zstd` command makes one frame per
 * input, so a frame per block would be a process start (25-45 ms) per 256 KB block.
 */
export function blockPacker(kind: Compression): BlockPacker | undefined {
  if (kind !== 'gzip') return undefined;
  return (block) => gzipAsync(block, { level: GZIP_LEVEL });
}

/**
 * Decompresses one block's member (or frame) read from its offset: a BackupError naming the chunk
 * when it is damaged or expands past `plainBytes` (a decompression bomb stops there).
 */
export async function unpackBlock(kind: Compression, file: string, packed: Buffer, plainBytes: number): Promise<Buffer> {
  if (kind !== 'gzip') throw new BackupError(file, `its blocks are ${kind}, which is not read block by block`);
  try {
    return await gunzipAsync(packed, { maxOutputLength: Math.max(1, plainBytes + 1) });
  } catch (error) {
    throw new BackupError(file, `a block cannot be decompressed (${(error as Error).message}): damaged`, { cause: error });
  }
}
