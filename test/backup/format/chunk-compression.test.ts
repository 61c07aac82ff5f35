/**
 * chunk-compression.ts against the real `zstd` command as the oracle: what our stage writes, zstd
 * reads back, and what zstd writes, our stage reads back; a truncated or garbled frame is a
 * BackupError naming the chunk; with no zstd at all, one usage line (exit 2) saying what to install.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import {
  chunkSuffix,
  compressionOfFile,
  compressStage,
  decompressStage,
  findOnPath,
  requireCompression,
  systemZstdProbe,
  type ZstdEngine,
} from '../../../backup/format/chunk-compression.js';
import { chunkFileName } from '../../../backup/format/manifest.js';
import { BackupError, UsageError } from '../../../src/errors.js';
import { ExitCode, exitCodeFor } from '../../../src/exit-codes.js';

const dir = mkdtempSync(join(tmpdir(), 'dp-zstd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const zstdPath = findOnPath('zstd', process.env.PATH ?? '');
/** The engine under test: the command (this Node has no zlib zstd, or it is what CI installs). */
const command: ZstdEngine = { kind: 'command', path: zstdPath ?? '/usr/bin/zstd' };

/** TSV-like lines with some randomness: compressible, but not trivially. */
function sampleLines(bytes: number): Buffer {
  const parts: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const line = `${i}\t${randomBytes(6).toString('hex')}\tcustomer ${i % 977}\t2026-12-01 03:${String(i % 60).padStart(2, '0')}:00\t\\N\n`;
    parts.push(line);
    n += line.length;
  }
  return Buffer.from(parts.join(''));
}

/** Pushes `data` through `stage` in uneven pieces and collects what comes out. */
async function through(stage: NodeJS.ReadWriteStream, data: Buffer): Promise<Buffer> {
  const out: Buffer[] = [];
  const pieces = function* () {
    for (let i = 0; i < data.length; i += 70_001) yield data.subarray(i, i + 70_001);
  };
  await pipeline(
    Readable.from(pieces()),
    stage,
    new Writable({
      write(b: Buffer, _e, cb) {
        out.push(b);
        cb();
      },
    }),
  );
  return Buffer.concat(out);
}

describe('zstd through the zstd command', () => {
  it('finds the zstd command on PATH (the suite needs it: .ci/run installs it)', () => {
    expect(zstdPath).toMatch(/zstd$/);
  });

  it('writes frames the zstd command reads back exactly', async () => {
    const data = sampleLines(3 * 1024 * 1024);
    const packed = await through(compressStage('zstd', 'chunks/0001-00000.tsv.zst', command)!, data);
    expect(packed.length).toBeLessThan(data.length / 2);
    const file = join(dir, 'ours.zst');
    writeFileSync(file, packed);
    expect(execFileSync('zstd', ['-q', '-d', '-c', file], { maxBuffer: 64 * 1024 * 1024 }).equals(data)).toBe(true);
  });

  it('reads back exactly what the zstd command writes, at any level', async () => {
    const data = sampleLines(2 * 1024 * 1024);
    const plain = join(dir, 'theirs.tsv');
    writeFileSync(plain, data);
    for (const level of ['-1', '-3', '-9']) {
      const packed = execFileSync('zstd', ['-q', '-c', level, plain], { maxBuffer: 64 * 1024 * 1024 });
      expect((await through(decompressStage('zstd', 'chunks/0002-00000.tsv.zst', command)!, packed)).equals(data)).toBe(true);
    }
  });

  it('round-trips an empty chunk', async () => {
    const packed = await through(compressStage('zstd', 'chunks/0003-00000.tsv.zst', command)!, Buffer.alloc(0));
    expect((await through(decompressStage('zstd', 'chunks/0003-00000.tsv.zst', command)!, packed)).length).toBe(0);
  });

  it.each([
    ['truncated', (b: Buffer) => b.subarray(0, b.length - 100)],
    ['garbled', (b: Buffer) => Buffer.concat([b.subarray(0, 20), randomBytes(200), b.subarray(220)])],
    ['not zstd at all', () => Buffer.from('id\tname\n1\tx\n')],
  ])('fails a %s frame with a BackupError naming the chunk (exit 5)', async (_what, damage) => {
    const packed = execFileSync('zstd', ['-q', '-c', '-1'], { input: sampleLines(500_000) });
    const error = await through(decompressStage('zstd', 'chunks/0007-00012.tsv.zst', command)!, damage(packed)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackupError);
    expect((error as Error).message).toMatch(/^chunks\/0007-00012\.tsv\.zst: zstd cannot decompress it: zstd exited with 1/);
    expect(exitCodeFor(error)).toBe(ExitCode.damaged);
  });

  it('stops the zstd child when the stage is destroyed (an aborted backup)', async () => {
    const stage = compressStage('zstd', 'chunks/0001-00001.tsv.zst', command)!;
    (stage as unknown as NodeJS.EventEmitter).on('error', () => {});
    const closed = new Promise<void>((resolve) => (stage as unknown as NodeJS.EventEmitter).once('close', resolve));
    stage.write(sampleLines(100_000));
    (stage as unknown as { destroy(e: Error): void }).destroy(new Error('stop'));
    await closed;
    const child = (stage as unknown as { child: { killed: boolean } }).child;
    expect(child.killed).toBe(true);
  });
});

describe('gzip and none', () => {
  it('gzip round-trips and none has no stage', async () => {
    const data = sampleLines(300_000);
    const packed = await through(compressStage('gzip', 'chunks/0000-00000.tsv.gz')!, data);
    expect((await through(decompressStage('gzip', 'chunks/0000-00000.tsv.gz')!, packed)).equals(data)).toBe(true);
    expect(compressStage('none', 'chunks/0000-00000.tsv')).toBeUndefined();
    expect(decompressStage('none', 'chunks/0000-00000.tsv')).toBeUndefined();
  });

  it('names chunk files by kind, and reads the kind back from the name', () => {
    for (const kind of ['gzip', 'zstd', 'none'] as const) {
      const file = chunkFileName(3, 7, kind);
      expect(file).toBe(`chunks/0003-00007.tsv${chunkSuffix(kind)}`);
      expect(compressionOfFile(file)).toBe(kind);
    }
  });
});

describe('requireCompression', () => {
  const none = { zlib: () => false, command: () => undefined };

  it('needs nothing for gzip and none', () => {
    expect(requireCompression('gzip', 'write', none)).toBeUndefined();
    expect(requireCompression('none', 'read', none)).toBeUndefined();
  });

  it("prefers Node's zlib, else the command", () => {
    expect(requireCompression('zstd', 'write', { zlib: () => true, command: () => '/usr/bin/zstd' })).toEqual({ kind: 'zlib' });
    expect(requireCompression('zstd', 'read', { zlib: () => false, command: () => '/x/zstd' })).toEqual({ kind: 'command', path: '/x/zstd' });
  });

  it.each([
    ['write', /^--compress zstd needs zstd: /],
    ['read', /^this backup is compressed with zstd, and reading it needs zstd: /],
  ] as const)('without either, refuses to %s in one usage line (exit 2) that says what to install', (purpose, start) => {
    const error = (() => {
      try {
        return requireCompression('zstd', purpose, none);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect(exitCodeFor(error)).toBe(ExitCode.usage);
    expect((error as UsageError).message).toMatch(start);
    expect((error as UsageError).message).not.toContain('\n');
    expect((error as UsageError).hint).toBe('install it (apt-get install zstd), or run on Node >= 22.15');
  });

  it('the system probe looks on PATH', () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    expect(findOnPath('zstd', empty)).toBeUndefined();
    expect(systemZstdProbe.command()).toBe(zstdPath);
    expect(readFileSync(zstdPath!).length).toBeGreaterThan(0);
  });
});
