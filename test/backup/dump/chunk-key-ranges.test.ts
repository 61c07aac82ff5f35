/**
 * The per-chunk key ranges a dump records: read from the chunk lines exactly (NULLs skipped,
 * integers past 2^53 and negative ones exact, escaped tabs inside other fields ignored), and the
 * pure choice of chunks a merge makes from them.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ChunkKeyRanges } from '../../../backup/dump/chunk-key-ranges.js';
import { keyColumnsOf, rangeHoldsAny } from '../../../backup/format/chunk-key-index.js';
import { type ManifestTable, parseTables } from '../../../backup/format/manifest.js';
import { chunkBlocks, dependentChunks, rootChunks } from '../../../backup/restore/merge-chunks.js';

describe('ChunkKeyRanges', () => {
  it('keeps the least and greatest value of each field, per chunk', () => {
    const r = new ChunkKeyRanges([0, 2]);
    r.add(Buffer.from('5\ta\\tb\t18446744073709551615\n-3\tx\t\\N\n'));
    r.add(Buffer.from('9007199254740993\t\t9007199254740992\n'));
    expect(r.take()).toEqual([
      ['-3', '9007199254740993'],
      ['9007199254740992', '18446744073709551615'],
    ]);
    r.add(Buffer.from('\\N\ty\t\\N\n'));
    expect(r.take()).toEqual([null, null]);
  });
});

const table = (keyColumns: string[] | undefined, ranges: ([string, string] | null)[][]): ManifestTable => ({
  name: 't',
  kind: 'mirror',
  ddl: '',
  columns: [{ name: 'id', dataType: 'int', hex: false }],
  rows: 0,
  checksum: '0',
  ...(keyColumns ? { keyColumns } : {}),
  chunks: ranges.map((keyRanges, i) => ({ file: `chunks/0000-0000${i}.tsv`, rows: 0, bytes: 0, sha256: '0'.repeat(64), ...(keyColumns ? { keyRanges } : {}) })),
});

describe('choosing chunks', () => {
  const t = table(['id', 'parent_id'], [
    [['1', '100'], ['1', '10']],
    [['101', '200'], ['5', '20']],
    [['201', '300'], null],
  ]);
  const files = (cs: { file: string }[]) => cs.map((c) => Number(c.file.slice(-5, -4)));

  it('the root table: =, IN, BETWEEN on a recorded column; anything else keeps every chunk', () => {
    expect(files(rootChunks(t, [{ column: 'id', op: '=', values: [150] }]))).toEqual([1]);
    expect(files(rootChunks(t, [{ column: 'id', op: 'IN', values: ['300', 5] }]))).toEqual([0, 2]);
    expect(files(rootChunks(t, [{ column: 'id', op: 'BETWEEN', values: [90, 110] }]))).toEqual([0, 1]);
    expect(files(rootChunks(t, [{ column: 'id', op: '=', values: ['abc'] }]))).toEqual([0, 1, 2]);
    expect(files(rootChunks(t, [{ column: 'name', op: '=', values: [1] }]))).toEqual([0, 1, 2]);
    expect(files(rootChunks(table(undefined, [[], []]), [{ column: 'id', op: '=', values: [1] }]))).toEqual([0, 1]);
  });

  it('a dependent table: a chunk whose range holds a marked parent key; an all-NULL range holds none', () => {
    expect(files(dependentChunks(t, [{ columns: ['parent_id'], values: [[15n]] }]))).toEqual([1]);
    expect(files(dependentChunks(t, [{ columns: ['parent_id'], values: [[7n, 30n]] }]))).toEqual([0, 1]);
    expect(files(dependentChunks(t, [{ columns: ['parent_id'], values: [undefined] }]))).toEqual([0, 1, 2]);
    expect(files(dependentChunks(t, [{ columns: ['other'], values: [[1n]] }]))).toEqual([0, 1, 2]);
    expect(rangeHoldsAny(['18446744073709551614', '18446744073709551615'], [9007199254740993n, 18446744073709551615n])).toBe(true);
  });

  it('records integer primary, foreign and referenced key columns only', () => {
    const ddl = (name: string, body: string) => `CREATE TABLE \`${name}\` (\n${body}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;
    const keys = keyColumnsOf([
      { name: 'p', kind: 'mirror', ddl: ddl('p', '  `id` int NOT NULL,\n  `code` varchar(9) NOT NULL,\n  PRIMARY KEY (`id`)'), columns: [{ name: 'id', dataType: 'int', hex: false }, { name: 'code', dataType: 'varchar', hex: false }] },
      {
        name: 'c',
        kind: 'mirror',
        ddl: ddl('c', '  `a` bigint unsigned NOT NULL,\n  `b` varchar(9) NOT NULL,\n  `n` int NOT NULL,\n  PRIMARY KEY (`a`,`b`),\n  CONSTRAINT `f` FOREIGN KEY (`a`) REFERENCES `p` (`id`)'),
        columns: [{ name: 'a', dataType: 'bigint', hex: false }, { name: 'b', dataType: 'varchar', hex: false }, { name: 'n', dataType: 'int', hex: false }],
      },
    ]);
    expect(Object.fromEntries(keys)).toEqual({ p: ['id'], c: ['a'] });
  });
});

describe('the manifest fields', () => {
  const t = (keyColumns: unknown, keyRanges: unknown) => ({
    name: 't',
    kind: 'mirror',
    ddl: 'CREATE TABLE `t` (\n  `id` int NOT NULL\n) ENGINE=InnoDB',
    columns: [{ name: 'id', dataType: 'int', hex: false }],
    rows: 1,
    checksum: '0',
    ...(keyColumns ? { keyColumns } : {}),
    chunks: [{ file: 'chunks/0000-00000.tsv', rows: 1, bytes: 2, sha256: '0'.repeat(64), ...(keyRanges ? { keyRanges } : {}) }],
  });

  it('accepts ranges of exact integer text, and a table without them (an older backup)', () => {
    expect(parseTables([t(['id'], [['-1', '18446744073709551615']])], 'none', 'm')[0]!.chunks[0]!.keyRanges).toEqual([['-1', '18446744073709551615']]);
    expect(parseTables([t(undefined, undefined)], 'none', 'm')[0]!.keyColumns).toBeUndefined();
  });

  it('refuses ranges that do not match the key columns, a key column the table lacks, and non-integers', () => {
    expect(() => parseTables([t(['id'], [['1', '2'], ['3', '4']])], 'none', 'm')).toThrow(/2 key ranges for 1 key columns/);
    expect(() => parseTables([t(['nope'], [['1', '2']])], 'none', 'm')).toThrow(/keyColumns/);
    expect(() => parseTables([t(['id'], [['1e3', '2']])], 'none', 'm')).toThrow(/must be an integer/);
  });
});

describe('blocks of a chunk', () => {
  it('records each block added with its rows, bytes, SHA-256 and ranges, and the chunk range over them', () => {
    const r = new ChunkKeyRanges([0], true);
    const a = Buffer.from('5\tx\n7\ty\n');
    const b = Buffer.from('\\N\tz\n');
    const c = Buffer.from('2\tw\n');
    r.add(a, 2);
    r.add(b, 1);
    r.add(c, 1);
    expect(r.take()).toEqual([['2', '7']]);
    expect(r.takeBlocks()).toEqual({
      blocks: [
        { rows: 2, bytes: a.length, sha256: createHash('sha256').update(a).digest('hex'), keyRanges: [['5', '7']] },
        { rows: 1, bytes: b.length, sha256: createHash('sha256').update(b).digest('hex'), keyRanges: [null] },
        { rows: 1, bytes: c.length, sha256: createHash('sha256').update(c).digest('hex'), keyRanges: [['2', '2']] },
      ],
    });
    // A chunk of one block records none (the chunk's own hash and ranges say as much); off: none.
    r.add(a, 2);
    expect(r.takeBlocks()).toEqual({});
    const off = new ChunkKeyRanges([0]);
    off.add(a, 2);
    off.add(c, 1);
    expect(off.takeBlocks()).toEqual({});
    expect(off.take()).toEqual([['2', '7']]);
  });

  it('chooses the blocks that can hold a wanted row; a chunk without blocks is read whole', () => {
    const t = table(['id', 'parent_id'], [[['1', '300'], ['1', '20']]]);
    const block = (keyRanges: ([string, string] | null)[]) => ({ rows: 1, bytes: 1, sha256: '0'.repeat(64), keyRanges });
    const c = { ...t.chunks[0]!, blocks: [block([['1', '100'], ['1', '10']]), block([['101', '200'], ['5', '20']]), block([['201', '300'], null])] };
    expect(chunkBlocks(t, c, { conditions: [{ column: 'id', op: '=', values: [150] }] })).toEqual([1]);
    expect(chunkBlocks(t, c, { conditions: [{ column: 'id', op: 'BETWEEN', values: [90, 250] }] })).toEqual([0, 1, 2]);
    expect(chunkBlocks(t, c, { refs: [{ columns: ['parent_id'], values: [[7n]] }] })).toEqual([0, 1]);
    expect(chunkBlocks(t, c, { refs: [{ columns: ['parent_id'], values: [[99n]] }] })).toEqual([]);
    expect(chunkBlocks(t, c, { refs: [{ columns: ['parent_id'], values: [undefined] }] })).toEqual([0, 1, 2]);
    expect(chunkBlocks(t, t.chunks[0]!, { conditions: [{ column: 'id', op: '=', values: [150] }] })).toBeUndefined();
  });

  it('the manifest refuses blocks that do not tile their chunk, or in a compressed backup', () => {
    const block = (rows: number, bytes: number) => ({ rows, bytes, sha256: '0'.repeat(64), keyRanges: [['1', '1']] });
    const t = (blocks: unknown[]) => ({
      name: 't',
      kind: 'mirror',
      ddl: 'CREATE TABLE `t` (\n  `id` int NOT NULL\n) ENGINE=InnoDB',
      columns: [{ name: 'id', dataType: 'int', hex: false }],
      rows: 3,
      checksum: '0',
      keyColumns: ['id'],
      chunks: [{ file: 'chunks/0000-00000.tsv', rows: 3, bytes: 6, sha256: '0'.repeat(64), keyRanges: [['1', '1']], blocks }],
    });
    expect(parseTables([t([block(1, 2), block(2, 4)])], 'none', 'm')[0]!.chunks[0]!.blocks).toHaveLength(2);
    expect(() => parseTables([t([block(1, 2), block(1, 4)])], 'none', 'm')).toThrow(/do not tile/);
    expect(() => parseTables([t([block(1, 2), block(2, 3)])], 'none', 'm')).toThrow(/do not tile/);
    expect(() => parseTables([{ ...t([block(1, 2), block(2, 4)]), chunks: [{ ...t([]).chunks[0]!, file: 'chunks/0000-00000.tsv.gz', blocks: [block(1, 2), block(2, 4)] }] }], 'gzip', 'm')).toThrow(
      /do not tile/,
    );
  });
});
