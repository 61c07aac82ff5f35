/**
 * AES-256-GCM for chunk files, in segments so that a restore streams and never passes on a byte
 * that has not been authenticated (one GCM tag over a whole file would only be checked at its
 * end, after the rows had gone to the server).
 *
 * File: "DPE1" | 7-byte random nonce prefix | segments. Every segment but the last holds
 * SEGMENT plaintext bytes; each is ciphertext followed by its 16-byte tag. Segment i's nonce is
 * prefix | uint32 i | last-flag (1 on the final segment only), and its additional data is the
 * chunk's file name. So a flipped bit, a reordered or dropped segment, a truncated file (the
 * new last segment was sealed as "not last") and a chunk moved to another name all fail.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ChunkAuthError } from '../../src/errors.js';

const MAGIC = Buffer.from('DPE1');
const PREFIX_BYTES = 7;
const HEADER_BYTES = MAGIC.length + PREFIX_BYTES;
const TAG_BYTES = 16;
/**
 * Plaintext bytes per sealed segment (64 KiB): the most a restore holds back before it can check a
 * tag and pass the bytes on.
 */
export const SEGMENT = 64 * 1024;

/** Bytes of the encrypted file of `plain` plaintext bytes: header, then each segment with its tag (an empty one has one). */
export function sealedSize(plain: number): number {
  return HEADER_BYTES + plain + Math.max(1, Math.ceil(plain / SEGMENT)) * TAG_BYTES;
}

function nonce(prefix: Buffer, index: number, last: boolean): Buffer {
  const n = Buffer.alloc(12);
  prefix.copy(n, 0);
  n.writeUInt32BE(index, PREFIX_BYTES);
  n[11] = last ? 1 : 0;
  return n;
}

/** Encrypts one segment: its ciphertext, then (GCM's final() is empty) its tag. */
function seal(key: Buffer, prefix: Buffer, index: number, last: boolean, aad: Buffer, plain: Buffer): Buffer[] {
  const c = createCipheriv('aes-256-gcm', key, nonce(prefix, index, last));
  c.setAAD(aad);
  const body = c.update(plain);
  const rest = c.final();
  return rest.length ? [body, rest, c.getAuthTag()] : [body, c.getAuthTag()];
}

function open(key: Buffer, prefix: Buffer, index: number, last: boolean, name: string, aad: Buffer, sealed: Buffer): Buffer {
  if (sealed.length < TAG_BYTES) throw new ChunkAuthError(name, 'truncated: a segment is shorter than its tag');
  const d = createDecipheriv('aes-256-gcm', key, nonce(prefix, index, last));
  d.setAAD(aad);
  d.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const plain = d.update(sealed.subarray(0, sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([plain, d.final()]);
  } catch {
    throw new ChunkAuthError(name, `segment ${index} fails authentication: the file was changed, or the key is not the one it was written with`);
  }
}

/**
 * Gathers input into whole segments. A segment inside one input block is a view of it; only a
 * segment that straddles blocks is copied, and only its own bytes (copying the whole pending input
 * per block cost an encrypted backup a copy of every byte).
 */
class Gather {
  private parts: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    if (b.length === 0) return;
    this.parts.push(b);
    this.length += b.length;
  }
  /** The first `n` bytes (n <= length), removed from the pending input. */
  take(n: number): Buffer {
    this.length -= n;
    const first = this.parts[0];
    if (first && first.length >= n) {
      if (first.length === n) this.parts.shift();
      else this.parts[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const p = this.parts[0]!;
      const k = Math.min(p.length, n - at);
      p.copy(out, at, 0, k);
      at += k;
      if (k === p.length) this.parts.shift();
      else this.parts[0] = p.subarray(k);
    }
    return out;
  }
}

/** Encrypts a chunk file's bytes; `name` is the chunk's path inside the backup. */
export function encryptChunk(key: Buffer, name: string): Transform {
  const prefix = randomBytes(PREFIX_BYTES);
  const aad = Buffer.from(name);
  const pending = new Gather();
  let index = 0;
  let started = false;
  return new Transform({
    // Whole segments in and out without back-pressure stalls at Node's 16 KiB default.
    highWaterMark: 1024 * 1024,
    transform(block: Buffer, _enc, cb: TransformCallback) {
      if (!started) {
        this.push(Buffer.concat([MAGIC, prefix]));
        started = true;
      }
      pending.push(block);
      // Keep at least one byte back: the final segment is only known at the end. The block's
      // segments leave as one buffer: two pushes per 64 KiB segment (ciphertext, tag) cost the
      // stages after it (hash tap, file stream) more than one copy of the bytes.
      const out: Buffer[] = [];
      while (pending.length > SEGMENT) out.push(...seal(key, prefix, index++, false, aad, pending.take(SEGMENT)));
      if (out.length > 0) this.push(out.length === 1 ? out[0] : Buffer.concat(out));
      cb();
    },
    flush(cb: TransformCallback) {
      if (!started) this.push(Buffer.concat([MAGIC, prefix]));
      for (const b of seal(key, prefix, index, true, aad, pending.take(pending.length))) this.push(b);
      cb();
    },
  });
}

/** Decrypts a chunk; errors with ChunkAuthError as soon as a segment does not authenticate. */
export function decryptChunk(key: Buffer, name: string): Transform {
  const aad = Buffer.from(name);
  const pending = new Gather();
  let prefix: Buffer | undefined;
  let index = 0;
  const full = SEGMENT + TAG_BYTES;
  return new Transform({
    highWaterMark: 1024 * 1024,
    transform(block: Buffer, _enc, cb: TransformCallback) {
      try {
        pending.push(block);
        if (!prefix) {
          if (pending.length < HEADER_BYTES) return cb();
          const head = pending.take(HEADER_BYTES);
          if (!head.subarray(0, MAGIC.length).equals(MAGIC)) throw new ChunkAuthError(name, 'not an encrypted dualpipe chunk (bad header)');
          prefix = Buffer.from(head.subarray(MAGIC.length));
        }
        // More than one full segment buffered: the first cannot be the last.
        while (pending.length > full) this.push(open(key, prefix, index++, false, name, aad, pending.take(full)));
        cb();
      } catch (error) {
        cb(error as Error);
      }
    },
    flush(cb: TransformCallback) {
      try {
        if (!prefix) throw new ChunkAuthError(name, 'truncated: no header');
        this.push(open(key, prefix, index, true, name, aad, pending.take(pending.length)));
        cb();
      } catch (error) {
        cb(error as Error);
      }
    },
  });
}

/** Reads `length` bytes of a file at `position` (fewer only at its end). */
export type ReadAt = (position: number, length: number) => Promise<Buffer>;

/**
 * Decrypts the plaintext bytes [start, end) of an encrypted chunk of `plainBytes` plaintext bytes
 * without reading the rest of it: only the segments that hold them are read, each authenticated
 * with its own index and last-flag, so a block of a chunk is read as safely as the whole file.
 */
export async function decryptRange(key: Buffer, name: string, readAt: ReadAt, plainBytes: number, start: number, end: number): Promise<Buffer> {
  const head = await readAt(0, HEADER_BYTES);
  if (head.length < HEADER_BYTES || !head.subarray(0, MAGIC.length).equals(MAGIC)) throw new ChunkAuthError(name, 'not an encrypted dualpipe chunk (bad header)');
  const prefix = head.subarray(MAGIC.length);
  // The writer keeps a byte back until the end: a chunk of k * SEGMENT bytes has k segments, an empty one 1.
  const segments = Math.max(1, Math.ceil(plainBytes / SEGMENT));
  const aad = Buffer.from(name);
  const out: Buffer[] = [];
  for (let i = Math.floor(start / SEGMENT); i < segments && i * SEGMENT < end; i++) {
    const len = Math.min(SEGMENT, plainBytes - i * SEGMENT);
    const sealed = await readAt(HEADER_BYTES + i * (SEGMENT + TAG_BYTES), len + TAG_BYTES);
    if (sealed.length !== len + TAG_BYTES) throw new ChunkAuthError(name, `truncated: segment ${i} is cut short`);
    const plain = open(key, prefix, i, i === segments - 1, name, aad, sealed);
    out.push(plain.subarray(Math.max(0, start - i * SEGMENT), Math.min(len, end - i * SEGMENT)));
  }
  return Buffer.concat(out);
}
