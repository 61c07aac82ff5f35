/**
 * The line filter of a merge: keeps exactly the chunk lines whose integer key fields can choose a
 * row, keeps any line it cannot decide (non-integer text), drops NULL references, and handles
 * lines split across stream blocks.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { inRange, inSet, LineFilter, lineMatches } from '../../../backup/restore/merge-line-filter.js';

async function run(filter: LineFilter, blocks: string[]): Promise<string> {
  let out = '';
  for await (const b of Readable.from(blocks.map((x) => Buffer.from(x))).pipe(filter)) out += (b as Buffer).toString();
  return out;
}

describe('merge line filter', () => {
  it('tests fields exactly, by set and range; NULL never matches; other text always does', () => {
    const byParent = [[inSet(1, new Set(['42', '18446744073709551615']))]];
    expect(lineMatches(Buffer.from('1\t42\tx\n'), byParent)).toBe(true);
    expect(lineMatches(Buffer.from('1\t042\tx\n'), byParent)).toBe(true);
    expect(lineMatches(Buffer.from('1\t43\tx\n'), byParent)).toBe(false);
    expect(lineMatches(Buffer.from('1\t\\N\tx\n'), byParent)).toBe(false);
    expect(lineMatches(Buffer.from('1\t18446744073709551615\n'), byParent)).toBe(true);
    expect(lineMatches(Buffer.from('1\t4.2e1\n'), byParent)).toBe(true);
    expect(lineMatches(Buffer.from('7\n'), [[inRange(0, 5n, 9n)]])).toBe(true);
    expect(lineMatches(Buffer.from('10\n'), [[inRange(0, 5n, 9n)]])).toBe(false);
    // Two foreign keys into the table: either may reference a marked row.
    expect(lineMatches(Buffer.from('1\t2\n'), [[inSet(0, new Set(['9']))], [inSet(1, new Set(['2']))]])).toBe(true);
    expect(lineMatches(Buffer.from('1\t2\n'), undefined)).toBe(true);
  });

  it('counts lines seen and kept across blocks that split lines', async () => {
    const f = new LineFilter([[inSet(0, new Set(['2', '3']))]], undefined, 'c');
    expect(await run(f, ['1\ta\\tb\n2\t', 'x\n3', '\ty\n4\tz\n'])).toBe('2\tx\n3\ty\n');
    expect([f.seen, f.kept]).toEqual([4, 2]);
  });

  it('refuses more bytes than recorded, and a chunk ending inside a line', async () => {
    await expect(run(new LineFilter(undefined, 5, 'c'), ['1\n2\n3\n'])).rejects.toThrow(/expands past the 5 bytes/);
    await expect(run(new LineFilter(undefined, undefined, 'c'), ['1\n2'])).rejects.toThrow(/ends inside a line/);
  });
});
