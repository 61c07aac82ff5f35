/**
 * The chunk cipher: any bytes, fed in any pieces, come back exactly; a flipped bit, a cut at any
 * point, a dropped segment, another file name or another key all fail, and nothing unauthenticated
 * is ever passed on.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decryptChunk, decryptRange, encryptChunk, SEGMENT } from '../../../backup/format/chunk-cipher.js';

const key = randomBytes(32);

async function run(transform: Transform, pieces: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(Readable.from(pieces), transform, async (source: AsyncIterable<Buffer>) => {
    for await (const b of source) out.push(b);
  });
  return Buffer.concat(out);
}

/** Cuts a buffer into pieces at the given fractions. */
function cut(b: Buffer, at: number[]): Buffer[] {
  const points = [...new Set(at.map((f) => Math.floor(f * b.length)))].sort((x, y) => x - y);
  const out: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    out.push(b.subarray(last, p));
    last = p;
  }
  out.push(b.subarray(last));
  return out.filter((x) => x.length > 0);
}

const sizes = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constantFrom(SEGMENT - 1, SEGMENT, SEGMENT + 1, 2 * SEGMENT, 2 * SEGMENT + 17, 11 * SEGMENT + 5));

describe('chunk cipher', () => {
  it('round-trips any bytes, whatever the pieces on either side', async () => {
    await fc.assert(
      fc.asyncProperty(sizes, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }), async (n, a, b) => {
        const plain = randomBytes(n);
        const sealed = await run(encryptChunk(key, 'chunks/0001-00000.tsv'), cut(plain, a));
        expect(sealed.includes(plain.subarray(0, 16)) && n >= 16).toBe(false);
        const back = await run(decryptChunk(key, 'chunks/0001-00000.tsv'), cut(sealed, b));
        expect(back.equals(plain)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('writes the format byte for byte, as OpenSSL seals each segment (nonce prefix | index | last flag, the name as additional data)', async () => {
    // More segments than are sealed at once, fed in uneven pieces: order and bytes must hold.
    const plain = randomBytes(20 * SEGMENT + 321);
    const name = 'chunks/0002-00007.tsv';
    const sealed = await run(encryptChunk(key, name), cut(plain, [0.013, 0.2, 0.21, 0.5, 0.93]));
    const prefix = sealed.subarray(4, 11);
    const want: Buffer[] = [Buffer.from('DPE1'), prefix];
    const count = Math.ceil(plain.length / SEGMENT);
    for (let i = 0; i < count; i++) {
      const nonce = Buffer.alloc(12);
      prefix.copy(nonce);
      nonce.writeUInt32BE(i, 7);
      nonce[11] = i === count - 1 ? 1 : 0;
      const c = createCipheriv('aes-256-gcm', key, nonce);
      c.setAAD(Buffer.from(name));
      want.push(c.update(plain.subarray(i * SEGMENT, (i + 1) * SEGMENT)), c.final(), c.getAuthTag());
    }
    expect(sealed.equals(Buffer.concat(want))).toBe(true);
  });

  it('refuses a flipped bit anywhere, and a cut at any point', async () => {
    const plain = randomBytes(2 * SEGMENT + 100);
    const sealed = await run(encryptChunk(key, 'f'), [plain]);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: sealed.length - 1 }), fc.integer({ min: 0, max: 7 }), async (at, bit) => {
        const bad = Buffer.from(sealed);
        bad[at]! ^= 1 << bit;
        await expect(run(decryptChunk(key, 'f'), [bad])).rejects.toThrow(/authentication|header/);
      }),
      { numRuns: 40 },
    );
    for (const len of [0, 5, 11, 12 + SEGMENT + 16, 11 + 2 * (SEGMENT + 16), sealed.length - 1]) {
      await expect(run(decryptChunk(key, 'f'), [sealed.subarray(0, len)]), `cut at ${len}`).rejects.toThrow(/authentication|truncated/);
    }
  });

  it('refuses a dropped segment, another file name and another key', async () => {
    const plain = randomBytes(3 * SEGMENT);
    const sealed = await run(encryptChunk(key, 'a'), [plain]);
    const seg = SEGMENT + 16;
    const dropped = Buffer.concat([sealed.subarray(0, 11), sealed.subarray(11 + seg)]);
    await expect(run(decryptChunk(key, 'a'), [dropped])).rejects.toThrow(/authentication/);
    await expect(run(decryptChunk(key, 'b'), [sealed])).rejects.toThrow(/authentication/);
    await expect(run(decryptChunk(randomBytes(32), 'a'), [sealed])).rejects.toThrow(/authentication/);
  });

  it('passes on nothing from a segment that does not authenticate', async () => {
    const plain = randomBytes(2 * SEGMENT + 10);
    const sealed = await run(encryptChunk(key, 'x'), [plain]);
    const bad = Buffer.from(sealed);
    bad[11 + SEGMENT + 16 + 5]! ^= 1; // inside the second segment
    const got: Buffer[] = [];
    await expect(
      pipeline(Readable.from([bad]), decryptChunk(key, 'x'), async (source: AsyncIterable<Buffer>) => {
        for await (const b of source) got.push(b);
      }),
    ).rejects.toThrow(/segment 1 fails authentication/);
    // At most the first (authenticated) segment came out, and only the true bytes.
    const out = Buffer.concat(got);
    expect(out.length).toBeLessThanOrEqual(SEGMENT);
    expect(out.equals(plain.subarray(0, out.length))).toBe(true);
  });
});

describe('decrypting a range', () => {
  const readerOf = (file: Buffer) => (position: number, length: number) => Promise.resolve(Buffer.from(file.subarray(position, position + length)));

  it('any range of any chunk comes back exactly, reading only the segments that hold it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 2 * SEGMENT, 3 * SEGMENT + 17),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (size, a, b) => {
          const plain = randomBytes(size);
          const file = await run(encryptChunk(key, 'chunks/0001-00002.tsv'), [plain]);
          const [lo, hi] = [Math.floor(Math.min(a, b) * size), Math.floor(Math.max(a, b) * size)];
          const read: [number, number][] = [];
          const reader = readerOf(file);
          const got = await decryptRange(key, 'chunks/0001-00002.tsv', (p, n) => (read.push([p, n]), reader(p, n)), size, lo, hi);
          expect(got.equals(plain.subarray(lo, hi))).toBe(true);
          // The header, then at most the segments the range touches.
          expect(read.length - 1).toBeLessThanOrEqual(hi > lo ? Math.floor((hi - 1) / SEGMENT) - Math.floor(lo / SEGMENT) + 1 : 1);
        },
      ),
      { numRuns: 40, seed: 19 },
    );
  });

  it('a flipped bit in a segment it reads, another name or another key fail authentication', async () => {
    const plain = randomBytes(2 * SEGMENT + 100);
    const file = await run(encryptChunk(key, 'chunks/0001-00002.tsv'), [plain]);
    const flipped = Buffer.from(file);
    flipped[11 + SEGMENT + 16 + 5] = flipped[11 + SEGMENT + 16 + 5]! ^ 1; // inside segment 1
    await expect(decryptRange(key, 'chunks/0001-00002.tsv', readerOf(flipped), plain.length, SEGMENT + 10, SEGMENT + 20)).rejects.toThrow(/segment 1 fails authentication/);
    expect((await decryptRange(key, 'chunks/0001-00002.tsv', readerOf(flipped), plain.length, 10, 20)).equals(plain.subarray(10, 20))).toBe(true);
    await expect(decryptRange(key, 'chunks/0001-00003.tsv', readerOf(file), plain.length, 10, 20)).rejects.toThrow(/authentication/);
    await expect(decryptRange(randomBytes(32), 'chunks/0001-00002.tsv', readerOf(file), plain.length, 10, 20)).rejects.toThrow(/authentication/);
    // A manifest claiming fewer bytes makes an inner segment the "last": it fails too.
    await expect(decryptRange(key, 'chunks/0001-00002.tsv', readerOf(file), SEGMENT + 1, SEGMENT, SEGMENT + 1)).rejects.toThrow(/authentication|cut short/);
  });
});
