import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkFileName, type Manifest } from '../../../backup/format/manifest.js';
import { parseManifest } from '../../../backup/format/manifest-seal.js';
import { BackupError } from '../../../src/errors.js';

function good(): Manifest {
  return {
    format: 'dualpipe-backup/1',
    complete: true,
    createdAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
    tool: { name: 'dualpipe', version: '0.1.0' },
    server: { version: '10.11.6-MariaDB' },
    sourceSchema: 'crm',
    reportSchema: 'crm_report',
    sync: { runId: 3, finishedAt: '2026-01-01 00:00:00' },
    binlog: null,
    migrations: ['0001_people_and_orgs'],
    compression: 'gzip',
    tables: [
      {
        name: 'contacts',
        kind: 'mirror',
        ddl: 'CREATE TABLE `contacts` (\n  `id` int NOT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB',
        columns: [{ name: 'id', dataType: 'int', hex: false }],
        rows: 3,
        checksum: '12345',
        chunks: [
          { file: chunkFileName(0, 0, 'gzip'), rows: 2, bytes: 10, sha256: 'a'.repeat(64) },
          { file: chunkFileName(0, 1, 'gzip'), rows: 1, bytes: 10, sha256: 'b'.repeat(64) },
        ],
      },
    ],
    totals: { tables: 1, rows: 3, bytes: 20, seconds: 1 },
  };
}

const parse = (m: unknown) => parseManifest(JSON.stringify(m), 'x/manifest.json');

describe('manifest parser', () => {
  it('accepts a good manifest', () => {
    expect(parse(good()).tables[0]!.name).toBe('contacts');
  });

  it('accepts a gzip chunk whose blocks carry member sizes tiling the file (plain or encrypted), refuses one without them or not tiling', () => {
    const block = (rows: number, bytes: number, packed?: number) => ({ rows, bytes, sha256: 'c'.repeat(64), keyRanges: [], ...(packed === undefined ? {} : { packed }) });
    const m = good();
    m.tables[0]!.keyColumns = [];
    const c = m.tables[0]!.chunks[0]!;
    c.keyRanges = [];
    c.rawBytes = 30;
    c.blocks = [block(1, 20, 4), block(1, 10, 6)];
    expect(parse(m).tables[0]!.chunks[0]!.blocks![1]!.packed).toBe(6);
    // Encrypted: the members are the plaintext of the sealed segments (11-byte header, a 16-byte tag).
    c.bytes = 11 + 10 + 16;
    expect(parse(m).tables[0]!.chunks[0]!.blocks).toHaveLength(2);
    c.bytes = 10;
    c.blocks = [block(1, 20, 4), block(1, 10, 5)];
    expect(() => parse(m)).toThrow(/do not tile/);
    c.blocks = [block(1, 20), block(1, 10)];
    expect(() => parse(m)).toThrow(/do not tile/);
  });

  it.each([
    ['a chunk path outside the backup', (m: Manifest) => (m.tables[0]!.chunks[0]!.file = '../../etc/passwd'), /chunks\.0\.file/],
    ['an absolute chunk path', (m: Manifest) => (m.tables[0]!.chunks[0]!.file = '/etc/passwd'), /file/],
    ['a hostile table name', (m: Manifest) => (m.tables[0]!.name = 'x`; DROP DATABASE crm; --'), /tables\.0\.name/],
    ['a wrong type', (m: Manifest) => ((m.tables[0] as unknown as { rows: string }).rows = '3'), /rows/],
    ['a huge number', (m: Manifest) => (m.tables[0]!.rows = 2 ** 60), /rows/],
    ['chunks that do not add up', (m: Manifest) => (m.tables[0]!.chunks[0]!.rows = 5), /do not add up/],
    ['an unfinished manifest', (m: Manifest) => ((m as unknown as { complete: boolean }).complete = false), /complete/],
    ['another format', (m: Manifest) => ((m as unknown as { format: string }).format = 'other/9'), /format/],
    ['an unknown key', (m: Manifest) => ((m as unknown as Record<string, unknown>).extra = 1), /top level|extra/],
    ['a bad hash', (m: Manifest) => (m.tables[0]!.chunks[0]!.sha256 = 'zz'), /sha256/],
    ['a .zst chunk in a gzip backup', (m: Manifest) => (m.tables[0]!.chunks[0]!.file = chunkFileName(0, 0, 'zstd')), /does not match the compression gzip/],
    ['a zstd chunk without its size of lines (no cap on its expansion)', (m: Manifest) => {
      m.compression = 'zstd';
      for (const [k, c] of m.tables[0]!.chunks.entries()) Object.assign(c, { file: chunkFileName(0, k, 'zstd'), rawBytes: 100 });
      delete m.tables[0]!.chunks[1]!.rawBytes;
    }, /chunk chunks\/0000-00001\.tsv\.zst: a zstd chunk without rawBytes/],
  ])('refuses %s with a message naming the field', (_label, mutate, pattern) => {
    const m = good();
    mutate(m);
    expect(() => parse(m)).toThrow(BackupError);
    expect(() => parse(m)).toThrow(pattern);
  });

  it('accepts a zstd manifest with .zst chunks', () => {
    const m = good();
    m.compression = 'zstd';
    for (const [k, c] of m.tables[0]!.chunks.entries()) Object.assign(c, { file: chunkFileName(0, k, 'zstd'), rawBytes: 100 });
    expect(parse(m).tables[0]!.chunks.map((c) => c.file)).toEqual(['chunks/0000-00000.tsv.zst', 'chunks/0000-00001.tsv.zst']);
  });

  it('refuses text that is not JSON', () => {
    expect(() => parseManifest('{"format": ', 'm.json')).toThrow(/m\.json: not valid JSON/);
    expect(() => parseManifest('{"format": ', 'm.json')).toThrow(BackupError);
  });

  it('never accepts arbitrary JSON values (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(() => parse(v)).toThrow(BackupError);
      }),
      { numRuns: 300 },
    );
  });
});
