/**
 * The compression of chunk files: a compress stage for a backup and a decompress stage for every
 * read path (restore, merge), per kind: gzip, zstd or none. Chunks are compressed before they are
 * encrypted (chunk-cipher.ts), so a decompress stage always sees the plain compressed bytes.
 *
 * Which zstd, and why: Node's zlib has zstd only from 22.15 / 23.8 (`zlib.createZstdCompress`),
 * and this project runs on Node 20. The npm bindings need the network or a compiler at install
 * (@mongodb-js/zstd downloads a prebuild from GitHub; zstd-napi builds with node-gyp), which a
 * fresh or offline machine does not have. So: Node's zlib when the runtime has it (feature-
 * detected, never by version), else the `zstd` command (Debian's package `zstd`) piped through
 * stdin/stdout, which streams with bounded memory and runs beside Node's event loop on its own
 * core. Both write the standard zstd frame format, so a backup written one way reads the other.
 * With neither, `--compress zstd` (and restoring a zstd backup) is refused before anything is
 * written, with what to install.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Duplex } from 'node:stream';
import * as zlib from 'node:zlib';
import { BackupError, DualpipeError, UsageError } from '../../src/errors.js';

/** How chunk files are compressed: the manifest's `compression`. */
export type Compression = 'gzip' | 'zstd' | 'none';

/** Every kind, for flag and config parsing. */
export const COMPRESSIONS: readonly Compression[] = ['gzip', 'zstd', 'none'];

/**
 * zstd's level. Measured on a scale-0.25 backup's chunks (bench/results/backup-zstd-*.md):
 * -1 is the fastest and its output within a few percent of -3's, and already smaller than gzip -1;
 * a backup taken under the sync lock wants speed first, like gzip's level 1 here.
 */
export const ZSTD_LEVEL = 1;

/** Bytes a zstd child's stdin may hold queued in Node before a write waits for it to drain. */
const PIPE_QUEUE = 1024 * 1024;

/** gzip's level: 1, the fastest (what backups always used). */
export const GZIP_LEVEL = 1;

/** The suffix of a chunk file of each kind (`chunks/NNNN-NNNNN.tsv` + suffix). */
export function chunkSuffix(kind: Compression): string {
  return kind === 'gzip' ? '.gz' : kind === 'zstd' ? '.zst' : '';
}

/** The kind of a chunk file, by its suffix. */
export function compressionOfFile(file: string): Compression {
  return file.endsWith('.gz') ? 'gzip' : file.endsWith('.zst') ? 'zstd' : 'none';
}

/** What the runtime offers for zstd; injectable, so tests can take either away. */
export interface ZstdProbe {
  /** True when Node's zlib has zstd (Node >= 22.15 / 23.8). */
  zlib(): boolean;
  /** The path of the `zstd` command, or undefined when it is not on PATH. */
  command(): string | undefined;
}

type ZstdZlib = {
  createZstdCompress?: (o: object) => Duplex;
  createZstdDecompress?: () => Duplex;
  constants: { ZSTD_c_compressionLevel?: number };
};

/** The first executable `name` on `path` (a PATH value), or undefined. */
export function findOnPath(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The real runtime: zlib's functions and the process's PATH. */
export const systemZstdProbe: ZstdProbe = {
  zlib: () => typeof (zlib as unknown as ZstdZlib).createZstdCompress === 'function',
  command: () => findOnPath('zstd', process.env.PATH ?? ''),
};

/** How zstd is run: Node's zlib, or the command at `path`. */
export type ZstdEngine = { kind: 'zlib' } | { kind: 'command'; path: string };

/**
 * The zstd to use, checked before a backup or restore starts: undefined for gzip and none; for
 * zstd, the engine, or a UsageError (exit 2) in one line saying what to install.
 */
export function requireCompression(kind: Compression, purpose: 'write' | 'read', probe: ZstdProbe = systemZstdProbe): ZstdEngine | undefined {
  if (kind !== 'zstd') return undefined;
  if (probe.zlib()) return { kind: 'zlib' };
  const path = probe.command();
  if (path) return { kind: 'command', path };
  const what = purpose === 'write' ? '--compress zstd needs zstd' : 'this backup is compressed with zstd, and reading it needs zstd';
  throw new UsageError(`${what}: this Node (${process.version}) has no zlib zstd and no zstd command is on PATH`, {
    hint: 'install it (apt-get install zstd), or run on Node >= 22.15',
  });
}

/** The compress stage of a chunk file, or undefined for none. */
export function compressStage(kind: Compression, file: string, engine?: ZstdEngine): Duplex | undefined {
  if (kind === 'none') return undefined;
  if (kind === 'gzip') return zlib.createGzip({ level: GZIP_LEVEL });
  const z = zlib as unknown as ZstdZlib;
  const e = engine ?? requireCompression('zstd', 'write');
  if (e?.kind === 'zlib' && z.createZstdCompress)
    return z.createZstdCompress({ params: { [z.constants.ZSTD_c_compressionLevel ?? 100]: ZSTD_LEVEL } });
  return new ZstdCommand(e?.kind === 'command' ? e.path : 'zstd', ['-q', '-c', `-${ZSTD_LEVEL}`], file, 'compress');
}

/**
 * The decompress stage of a chunk file, or undefined for none. Its errors (a truncated or
 * damaged frame) are BackupErrors naming the chunk.
 */
export function decompressStage(kind: Compression, file: string, engine?: ZstdEngine): Duplex | undefined {
  if (kind === 'none') return undefined;
  if (kind === 'gzip') return zlib.createGunzip();
  const z = zlib as unknown as ZstdZlib;
  const e = engine ?? requireCompression('zstd', 'read');
  if (e?.kind === 'zlib' && z.createZstdDecompress) return named(z.createZstdDecompress(), file);
  return new ZstdCommand(e?.kind === 'command' ? e.path : 'zstd', ['-q', '-d', '-c'], file, 'decompress');
}

/** Turns a zlib stage's errors into BackupErrors naming the chunk. */
function named(stage: Duplex, file: string): Duplex {
  const destroy = stage.destroy.bind(stage);
  stage.destroy = (error?: Error) => destroy(error && !(error instanceof DualpipeError) ? new BackupError(file, `zstd cannot decompress it (${error.message})`, { cause: error }) : error);
  return stage;
}

/**
 * A `zstd` child process as a Duplex stage: bytes written go to its stdin, its stdout is read out.
 * The stage ends only when stdout ended and the process exited 0; a non-zero exit fails the stage
 * with its stderr (decompressing: a BackupError naming the chunk, as the file is bad; compressing:
 * a DualpipeError naming the chunk). Destroying the stage (an abort) kills the child.
 */
class ZstdCommand extends Duplex {
  private readonly child: ChildProcessWithoutNullStreams;
  private stderr = '';
  private outEnded = false;
  private exit: number | null | undefined;
  private failed = false;

  constructor(
    path: string,
    args: string[],
    private readonly file: string,
    private readonly mode: 'compress' | 'decompress',
  ) {
    super({ readableHighWaterMark: 256 * 1024, writableHighWaterMark: 256 * 1024 });
    this.child = spawn(path, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (b: Buffer) => {
      if (!this.push(b)) this.child.stdout.pause();
    });
    this.child.stdout.on('end', () => {
      this.outEnded = true;
      this.settle();
    });
    this.child.stderr.on('data', (b: Buffer) => {
      if (this.stderr.length < 2000) this.stderr += b.toString();
    });
    this.child.on('error', (error) => this.fail(`cannot run ${path} (${error.message})`, error));
    this.child.on('close', (code, signal) => {
      this.exit = code ?? (signal ? -1 : 0);
      this.settle();
    });
    // zstd stopping early (bad input) closes its stdin: our writes then fail with EPIPE, and the
    // exit status is the real story, so the write error waits for it.
    this.child.stdin.on('error', () => {});
  }

  private settle(): void {
    if (this.failed || !this.outEnded || this.exit === undefined) return;
    if (this.exit === 0) this.push(null);
    else this.fail(`zstd exited with ${this.exit}: ${this.stderr.trim().split('\n').pop() ?? ''}`.trim());
  }

  private fail(message: string, cause?: unknown): void {
    if (this.failed) return;
    this.failed = true;
    const o = cause === undefined ? {} : { cause };
    const error =
      this.mode === 'decompress'
        ? new BackupError(this.file, `zstd cannot decompress it: ${message}`, o)
        : new DualpipeError(`compressing chunk ${this.file} with zstd failed: ${message}`, o);
    this.destroy(error);
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (error?: Error | null) => void): void {
    const stdin = this.child.stdin;
    if (stdin.destroyed) return cb();
    // A pipe's socket says "full" past 16 KiB; waiting for its drain at each block stalls the dump
    // whenever the event loop is busy, so up to PIPE_QUEUE bytes may wait in Node for zstd to read.
    stdin.write(chunk);
    if (stdin.writableLength < PIPE_QUEUE) return cb();
    // Whichever comes first: room in the pipe, or zstd gone (its exit status then tells why).
    const go = () => {
      stdin.off('drain', go);
      stdin.off('close', go);
      cb();
    };
    stdin.on('drain', go);
    stdin.on('close', go);
  }

  override _final(cb: (error?: Error | null) => void): void {
    if (this.child.stdin.destroyed || this.child.stdin.writableEnded) return cb();
    this.child.stdin.end(() => cb());
  }

  override _destroy(error: Error | null, cb: (error?: Error | null) => void): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    cb(error);
  }
}
