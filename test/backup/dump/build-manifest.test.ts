/** The manifest of a finished dump, without a server: tables, totals, encryption, and the row-count refusal. */
import { describe, expect, it } from 'vitest';
import { buildManifest, type DumpOutcome } from '../../../backup/dump/build-manifest.js';
import type { ChunkResult } from '../../../backup/dump/dump-table.js';
import { planBackup } from '../../../backup/dump/plan-backup.js';
import { parseManifest } from '../../../backup/format/manifest-seal.js';
import type { TableMeta } from '../../../src/catalog/table-meta.js';
import { StepError } from '../../../src/errors.js';

const meta: TableMeta = {
  name: 'users',
  engine: 'MyISAM',
  columns: [{ name: 'id', dataType: 'int', columnType: 'int(11)', nullable: false, generated: false }],
  primaryKey: ['id'],
  estimatedRows: 3,
  dataBytes: 100,
};
const ddl = 'CREATE TABLE `users` (\n  `id` int(11) NOT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB';
const plan = planBackup('crm_report', [{ meta, kind: 'mirror', ddl, rows: 3 }], { sourceSchema: 'crm', chunkRows: 2, compression: 'gzip' });
const chunk = (n: number, rows: number): ChunkResult => ({
  file: `chunks/0000-0000${n}.tsv.gz`,
  rows,
  bytes: 10 * rows,
  sha256: String(n).repeat(64),
  rawBytes: 20 * rows,
});

const outcome = (over: Partial<DumpOutcome> = {}): DumpOutcome => ({
  plan,
  chunks: [[chunk(0, 2), chunk(1, 1)]],
  checksums: new Map([['users', { rows: 3, checksum: 'v3:42' }]]),
  state: { schema: 'crm', serverVersion: '10.11', ddl: {}, migrations: ['001_init'], binlog: null, binlogNote: 'binary log off' },
  sync: { id: 7, finishedAt: '2024-01-01 00:00:00' },
  serverVersion: '10.11.6-MariaDB',
  started: new Date('2024-01-02T00:00:00.000Z'),
  finished: new Date('2024-01-02T00:00:02.500Z'),
  ...over,
});

describe('buildManifest', () => {
  it('lists each table with its chunks and checksum, and adds up the totals', () => {
    const m = buildManifest(outcome());
    expect(m.tables).toEqual([
      {
        name: 'users',
        kind: 'mirror',
        ddl,
        columns: [{ name: 'id', dataType: 'int', hex: false }],
        rows: 3,
        checksum: 'v3:42',
        chunks: [chunk(0, 2), chunk(1, 1)],
      },
    ]);
    expect(m.totals).toEqual({ tables: 1, rows: 3, bytes: 30, seconds: 2.5 });
    expect(m).toMatchObject({ sourceSchema: 'crm', reportSchema: 'crm_report', sync: { runId: 7 }, binlogNote: 'binary log off', compression: 'gzip' });
    expect(m.encryption).toBeUndefined();
    // What a restore reads back: the manifest passes its own parser.
    expect(parseManifest(JSON.stringify(m), 'manifest.json')).toEqual(m);
  });

  it('records the key id of an encrypted backup', () => {
    expect(buildManifest(outcome({ keyId: 'ab'.repeat(16) })).encryption).toEqual({ algorithm: 'aes-256-gcm', keyId: 'ab'.repeat(16) });
  });

  it('refuses a table whose chunks do not hold the rows its checksum counted', () => {
    const short = outcome({ chunks: [[chunk(0, 2)]] });
    expect(() => buildManifest(short)).toThrow(StepError);
    expect(() => buildManifest(short)).toThrow('backup of users failed: dumped 2 rows but the table holds 3');
  });
});
