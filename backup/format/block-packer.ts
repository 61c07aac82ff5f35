/**
 * Compression of a chunk block by block, for a merge restore that reads one block of a compressed
 * chunk by its offset (the manifest's `blocks[].packed`, load-filtered-chunk.ts): each block is its
 * own gzip member (RFC 1952) or zstd frame (RFC 8878), and concatenated they are one valid file that
 * a full restore reads as one stream.
 *
 * gzip: zlib's one-shot `gzip()` runs on libuv's thread pool, so PACK_AHEAD blocks compress at once.
 * zstd through the command (Node 20's zlib has none): a process per block would cost a start
 * (25-45 ms) per 256 KB block, so a chunk's blocks go to temporary files and one `zstd` per chunk
 * compresses them, one frame per input file (the command's own behaviour); the frame sizes are then
 * read back from the frame headers (zstd-frames.ts). zstd through Node's zlib (Node >= 22.15) stays
 * one stream: not run here, so not written.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { BackupError, DualpipeError } from '../../src/errors.js';
import { type Compression, decompressStage, GZIP_LEVEL, ZSTD_LEVEL, type ZstdEngine } from './chunk-compression.js';
import { zstdFrameSizes } from './zstd-frames.js';

/** Where a packer hands the file's bytes, in order (waits while the file's stream is full). */
export type PackedSink = (bytes: Buffer) => Promise<void>;

/** Compresses a chunk's blocks, each into a member or frame of its own, handing the file's bytes on in order. */
export interface BlockPacker {
  /** Takes the next non-empty block of lines. */
  add(block: Buffer): Promise<void>;
  /** Hands on the rest; returns each added block's compressed size, in order. An empty chunk still makes a valid file. */
  finish(): Promise<number[]>;
  /** Abandons the chunk (a failed or stopped dump): children killed, temporary files removed. */
  abort(): void;
}

/** Blocks compressed at once per gzip chunk: at most this many blocks and their members wait in memory. */
const PACK_AHEAD = 4;

/**
 * Compress each block on the event loop (gzipSync) instead of the thread pool: measured on 29 MB
 * of lines, the async one-shot `gzip()` costs about 3x the CPU of a stream (a zlib handle, a
 * stream and thread-pool round trips per 256 KB block), `gzipSync` less than the stream.
 */
const PACK_SYNC = true;

const gzipAsync = promisify(zlib.gzip);
const gunzipAsync = promisify(zlib.gunzip);

/** gzip members on the thread pool, PACK_AHEAD at a time, written in order. */
class GzipPacker implements BlockPacker {
  private readonly queue: Promise<Buffer>[] = [];
  private readonly sizes: number[] = [];
  constructor(private readonly out: PackedSink) {}

  private async flushOne(): Promise<void> {
    const member = await this.queue.shift()!;
    this.sizes.push(member.length);
    await this.out(member);
  }

  async add(block: Buffer): Promise<void> {
    if (PACK_SYNC) {
      const member = zlib.gzipSync(block, { level: GZIP_LEVEL, chunkSize: 128 * 1024 });
      this.sizes.push(member.length);
      return this.out(member);
    }
    const job = gzipAsync(block, { level: GZIP_LEVEL });
    job.catch(() => {}); // awaited in order by flushOne; a failure surfaces there
    this.queue.push(job);
    if (this.queue.length >= PACK_AHEAD) await this.flushOne();
  }

  async finish(): Promise<number[]> {
    while (this.queue.length) await this.flushOne();
    if (this.sizes.length === 0) await this.out(await gzipAsync(Buffer.alloc(0), { level: GZIP_LEVEL }));
    return this.sizes;
  }

  abort(): void {
    this.queue.length = 0;
  }
}

/** A chunk's blocks as temporary files, compressed by one `zstd` per chunk into a frame each. */
class ZstdFilesPacker implements BlockPacker {
  private dir: string | undefined;
  private n = 0;
  private child: ReturnType<typeof spawn> | undefined;
  constructor(
    private readonly path: string,
    private readonly file: string,
    private readonly out: PackedSink,
  ) {}

  private name(k: number): string {
    return String(k).padStart(6, '0');
  }

  async add(block: Buffer): Promise<void> {
    this.dir ??= mkdtempSync(join(tmpdir(), 'dualpipe-zblk-'));
    await writeFile(join(this.dir, this.name(this.n++)), block, { mode: 0o600 });
  }

  async finish(): Promise<number[]> {
    this.dir ??= mkdtempSync(join(tmpdir(), 'dualpipe-zblk-'));
    const dir = this.dir;
    const inputs = this.n ? Array.from({ length: this.n }, (_x, k) => this.name(k)) : [this.name(0)];
    if (!this.n) await writeFile(join(dir, inputs[0]!), Buffer.alloc(0));
    try {
      // -c to a file we opened: with -o and several inputs the command asks before concatenating.
      const outFd = openSync(join(dir, 'out.zst'), 'wx', 0o600);
      await new Promise<void>((resolve, reject) => {
        let stderr = '';
        const child = spawn(this.path, ['-q', '-c', `-${ZSTD_LEVEL}`, ...inputs], { cwd: dir, stdio: ['ignore', outFd, 'pipe'] });
        closeSync(outFd);
        this.child = child;
        child.stderr?.on('data', (b: Buffer) => (stderr += b.toString().slice(0, 2000)));
        child.on('error', (error) => reject(new DualpipeError(`compressing chunk ${this.file} with zstd failed: cannot run ${this.path} (${error.message})`, { cause: error })));
        child.on('close', (code) => (code === 0 ? resolve() : reject(new DualpipeError(`compressing chunk ${this.file} with zstd failed: exit ${code}: ${stderr.trim()}`))));
      });
      const fh = await open(join(dir, 'out.zst'), 'r');
      try {
        const readAt = async (position: number, length: number) => {
          const buf = Buffer.alloc(length);
          const { bytesRead } = await fh.read(buf, 0, length, position);
          return buf.subarray(0, bytesRead);
        };
        const size = (await fh.stat()).size;
        const sizes = await zstdFrameSizes(readAt, size, `zstd's output for chunk ${this.file}`);
        if (sizes.length !== inputs.length) throw new DualpipeError(`compressing chunk ${this.file} with zstd: ${sizes.length} frames for ${inputs.length} blocks`);
        for (let at = 0; at < size; at += 1024 * 1024) await this.out(await readAt(at, Math.min(1024 * 1024, size - at)));
        return this.n ? sizes : [];
      } finally {
        await fh.close();
      }
    } finally {
      this.abort();
    }
  }

  abort(): void {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

/** True when chunks of this kind are written block by block (a member/frame per block). */
export function packsBlocks(kind: Compression, engine?: ZstdEngine): boolean {
  return kind === 'gzip' || (kind === 'zstd' && engine?.kind === 'command');
}

/**
 * The block packer of a chunk of this kind, or undefined when the chunk is one stream (none; zstd
 * through Node's zlib).
 */
export function blockPacker(kind: Compression, file: string, out: PackedSink, engine?: ZstdEngine): BlockPacker | undefined {
  if (kind === 'gzip') return new GzipPacker(out);
  if (kind === 'zstd' && engine?.kind === 'command') return new ZstdFilesPacker(engine.path, file, out);
  return undefined;
}

/**
 * Decompresses one block's member (or frame) read from its offset: a BackupError naming the chunk
 * when it is damaged or expands past `plainBytes` (a decompression bomb stops there).
 */
export async function unpackBlock(kind: Compression, file: string, packed: Buffer, plainBytes: number): Promise<Buffer> {
  const cap = Math.max(1, plainBytes + 1);
  try {
    if (kind === 'gzip') return await gunzipAsync(packed, { maxOutputLength: cap });
    const parts: Buffer[] = [];
    let got = 0;
    for await (const b of Readable.from([packed]).pipe(decompressStage(kind, file)!) as AsyncIterable<Buffer>) {
      got += b.length;
      if (got > cap) throw new Error(`expands past the ${plainBytes} bytes recorded`);
      parts.push(b);
    }
    return Buffer.concat(parts);
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(file, `a block cannot be decompressed (${(error as Error).message}): damaged`, { cause: error });
  }
}
