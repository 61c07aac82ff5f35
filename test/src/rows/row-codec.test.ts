import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRow, encodeField, encodeRow } from '../../../src/rows/row-codec.js';

describe('row codec', () => {
  it('escapes exactly what LOAD DATA unescapes', () => {
    expect(encodeField(null, false)).toBe('\\N');
    expect(encodeField('NULL', false)).toBe('NULL');
    expect(encodeField('\\N', false)).toBe('\\\\N');
    expect(encodeField('', false)).toBe('');
    expect(encodeField('a\tb\nc\\d\re\0f', false)).toBe('a\\tb\\nc\\\\d\\re\\0f');
    expect(encodeField(Buffer.from([0, 255, 10]), true)).toBe('00FF0A');
    expect(encodeRow(['x', null, Buffer.from('hi')], [false, false, true])).toBe('x\t\\N\t6869\n');
  });

  it('round-trips any row exactly (property)', () => {
    const text = fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('\\N', 'NULL', '\t', '\n', '\\', '\0', '😀', ''));
    const field = fc.oneof(text, fc.constant(null));
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)), fc.constant(null));
    fc.assert(
      fc.property(fc.array(fc.tuple(field, bytes), { minLength: 1, maxLength: 8 }), (pairs) => {
        const row = pairs.flat();
        const hex = pairs.flatMap(() => [false, true]);
        const line = encodeRow(row, hex);
        expect(line.endsWith('\n')).toBe(true);
        expect(line.slice(0, -1)).not.toContain('\n');
        const back = decodeRow(line.slice(0, -1), hex);
        expect(back).toEqual(row);
      }),
      { numRuns: 500 },
    );
  });
});
