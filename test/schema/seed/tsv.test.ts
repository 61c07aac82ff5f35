import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { encodeField, encodeRow, escapeTsv, tsvBatches, tsvStream } from '../../../schema/seed/tsv.js';
import { InternalError } from '../../../src/errors.js';

describe('TSV encoding for LOAD DATA', () => {
  it('escapes backslash, tab, newline, carriage return and NUL', () => {
    expect(escapeTsv('a\\b')).toBe('a\\\\b');
    expect(escapeTsv('a\tb')).toBe('a\\tb');
    expect(escapeTsv('a\nb')).toBe('a\\nb');
    expect(escapeTsv('a\rb')).toBe('a\\rb');
    expect(escapeTsv('a\0b')).toBe('a\\0b');
    expect(escapeTsv('C:\\x\t\n')).toBe('C:\\\\x\\t\\n');
  });

  it('leaves ordinary text, quotes and unicode alone', () => {
    const text = `O'Brien said "hi" — café 東京 🚀`;
    expect(escapeTsv(text)).toBe(text);
  });

  it('encodes NULL as \\N, distinct from the string "\\N"', () => {
    expect(encodeField(null)).toBe('\\N');
    expect(encodeField('\\N')).toBe('\\\\N');
    expect(encodeField('')).toBe('');
  });

  it('encodes numbers, booleans and bigints', () => {
    expect(encodeField(42)).toBe('42');
    expect(encodeField(-1.5)).toBe('-1.5');
    expect(encodeField(true)).toBe('1');
    expect(encodeField(false)).toBe('0');
    expect(encodeField(2n ** 64n - 1n)).toBe('18446744073709551615');
    expect(() => encodeField(Number.NaN)).toThrow(InternalError);
    expect(() => encodeField(Number.POSITIVE_INFINITY)).toThrow(InternalError);
  });

  it('joins a row with tabs and ends it with a newline', () => {
    expect(encodeRow([1, 'a\tb', null, true])).toBe('1\ta\\tb\t\\N\t1\n');
    expect(encodeRow([])).toBe('\n');
  });

  it('batches whole rows into buffers without changing the bytes', async () => {
    const rows = Array.from({ length: 500 }, (_, i) => [i, `row ${i} 🙂`, i % 3 === 0 ? null : 'x\ny']);
    const expected = rows.map((r) => encodeRow(r)).join('');
    const batches = [...tsvBatches(rows, 100)];
    expect(batches.length).toBeGreaterThan(10);
    for (const b of batches) expect(b.toString('utf8').endsWith('\n')).toBe(true);
    expect(Buffer.concat(batches).toString('utf8')).toBe(expected);

    const streamed: Buffer[] = [];
    for await (const chunk of tsvStream(rows)) streamed.push(chunk as Buffer);
    expect(Buffer.concat(streamed).toString('utf8')).toBe(expected);
  });

  it('generates rows lazily, only as the stream is read', () => {
    let made = 0;
    function* rows() {
      for (let i = 0; i < 1_000_000; i++) {
        made++;
        yield [i, 'some text to fill the batch'];
      }
    }
    const it = tsvBatches(rows(), 1024);
    it.next();
    expect(made).toBeLessThan(100);
  });
});
