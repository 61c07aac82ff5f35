import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeRow } from '../../../src/rows/row-codec.js';
import { type TsvBlock, TsvBlockEncoder } from '../../../backup/format/tsv-block-encoder.js';

/** A text-protocol row: each field a length-encoded string, 0xFB alone for NULL. */
function wireRow(fields: readonly (Buffer | null)[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of fields) {
    if (f === null) {
      parts.push(Buffer.from([0xfb]));
      continue;
    }
    const n = f.length;
    if (n < 251) parts.push(Buffer.from([n]));
    else if (n < 0x10000) parts.push(Buffer.from([0xfc, n & 255, n >> 8]));
    else if (n < 0x1000000) parts.push(Buffer.from([0xfd, n & 255, (n >> 8) & 255, n >> 16]));
    else {
      const head = Buffer.alloc(9);
      head[0] = 0xfe;
      head.writeBigUInt64LE(BigInt(n), 1);
      parts.push(head);
    }
    parts.push(f);
  }
  return Buffer.concat(parts);
}

/** Encodes rows through the encoder, fed from one shared buffer at an offset like mysql2's packets. */
function encodeAll(rows: readonly (Buffer | null)[][], hex: readonly boolean[], blockSize: number, rowsPerPart?: number): TsvBlock[] {
  const enc = new TsvBlockEncoder(hex, { blockSize, ...(rowsPerPart ? { rowsPerPart } : {}) });
  const out: TsvBlock[] = [];
  for (const r of rows) {
    const wire = Buffer.concat([Buffer.from('head'), wireRow(r), Buffer.from('tail')]);
    if (enc.row(wire, 4, wire.length - 4)) out.push(...enc.take());
  }
  out.push(...enc.take(true));
  return out;
}

const joined = (blocks: readonly TsvBlock[]) => Buffer.concat(blocks.map((b) => b.bytes)).toString('utf8');

const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('\\N', 'NULL', '\t', '\n', '\r', '\\', '\0', '😀', '', 'a\\tb'),
  fc.string({ unit: 'grapheme', minLength: 200, maxLength: 400 }),
);

describe('TsvBlockEncoder', () => {
  it('writes exactly the lines of the reference codec, for any row and any block size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 7 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.array(fc.oneof(text, fc.constant(null)), { minLength: 240 }),
        fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 240 }),
        (hex, blockSize, rowsPerPart, picks, texts, binaries) => {
          const rows = picks.map((p, r) =>
            hex.map((isHex, c) => {
              const k = (p + r * 7 + c * 13) % 240;
              if (isHex) return k % 5 === 0 ? null : Buffer.from(binaries[k]!);
              const t = texts[k];
              return t === null || t === undefined ? null : Buffer.from(t, 'utf8');
            }),
          );
          const expected = rows.map((r) => encodeRow(r.map((f, c) => (f === null ? null : hex[c] ? f : f.toString('utf8'))), hex)).join('');
          const blocks = encodeAll(rows, hex, blockSize, rowsPerPart);
          expect(joined(blocks)).toBe(expected);
          // Parts hold rowsPerPart whole rows each, in order; blocks never straddle two parts.
          const lines = expected.split('\n').slice(0, -1);
          const parts = new Map<number, string>();
          for (const b of blocks) parts.set(b.part, (parts.get(b.part) ?? '') + b.bytes.toString('utf8'));
          expect([...parts.keys()]).toEqual([...parts.keys()].map((_k, i) => i));
          for (const [part, text] of parts) {
            expect(text).toBe(lines.slice(part * rowsPerPart, (part + 1) * rowsPerPart).map((l) => `${l}\n`).join(''));
          }
          expect(blocks.reduce((a, b) => a + b.rows, 0)).toBe(rows.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads 2-, 3- and 8-byte lengths', () => {
    const big = Buffer.alloc(70_000, 'x');
    const wire = wireRow([big, Buffer.from('a\tb'), null]);
    const enc = new TsvBlockEncoder([false, false, false], { blockSize: 1024 });
    enc.row(wire, 0, wire.length);
    expect(joined(enc.take(true))).toBe(`${big.toString()}\ta\\tb\t\\N\n`);
    const eight = Buffer.concat([Buffer.from([0xfe, 3, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('abc')]);
    const enc8 = new TsvBlockEncoder([true]);
    enc8.row(eight, 0, eight.length);
    expect(joined(enc8.take(true))).toBe('616263\n');
    expect(enc8.rows).toBe(1);
    expect(enc8.bytes).toBe(7);
  });

  it('refuses a row with too few or too many fields, or a field past the end', () => {
    const two = wireRow([Buffer.from('a'), Buffer.from('b')]);
    expect(() => new TsvBlockEncoder([false, false, false]).row(two, 0, two.length)).toThrow(/2 fields, expected 3/);
    expect(() => new TsvBlockEncoder([false]).row(two, 0, two.length)).toThrow(/more than 1 fields/);
    expect(() => new TsvBlockEncoder([false, false]).row(two, 0, two.length - 1)).toThrow(/past the end/);
  });
});
