import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_FILE } from '../../../backup/format/manifest.js';
import { parseManifest } from '../../../backup/format/manifest-seal.js';
import { backupHex, backupSelectExpr } from '../../../src/rows/column-transport.js';
import { encodeRow } from '../../../src/rows/row-codec.js';
import { runBackup } from '../../../backup/dump/run-backup.js';
import { runRestore } from '../../../backup/restore/run-restore.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify, quoteId } from '../../../src/db/quote.js';
import { DualpipeError, LockBusyError } from '../../../src/errors.js';
import { discoverTables } from '../../../src/catalog/discover-tables.js';
import { runSync, type SyncOptions } from '../../../sync/full/run-sync.js';
import { lockName } from '../../../src/lock/run-lock.js';
import { exitOf, spawnCli, waitForOutput } from '../../helpers/spawn-cli.js';
import { schemaDigest } from '../../helpers/table-digest.js';
import { createTestDatabase, type TestDatabase, testPipeline } from '../../helpers/test-database.js';

let db: TestDatabase;
let conn: SqlConnection;
let sync: SyncOptions;

beforeAll(async () => {
  db = await createTestDatabase('backup');
  conn = await db.connector.connect();
  const q = (t: string) => qualify(db.database, t);
  await conn.execute(`CREATE TABLE ${q('kinds')} (
    id INT NOT NULL PRIMARY KEY, vc VARCHAR(100), tx TEXT NOT NULL, bl BLOB, bt BIT(10), js JSON, en ENUM('a','b'),
    dt DATETIME(6), dc DECIMAL(20,6), fl FLOAT, db DOUBLE, latin VARCHAR(10) CHARACTER SET latin1, gen INT AS (id * 2) STORED
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
  const rows: unknown[][] = [];
  for (let i = 0; i < 900; i++) {
    rows.push([
      i,
      i % 7 === 0 ? null : `v\t${i}\n\\x 😀`,
      i % 5 === 0 ? '' : `text ${i} \0 nul \r cr`,
      i % 3 === 0 ? null : Buffer.from([0, i % 256, 10, 9, 92]),
      i % 1024,
      i % 4 === 0 ? null : JSON.stringify({ i, s: 'a\\b\n' }),
      i % 2 ? 'a' : 'b',
      '2024-01-02 03:04:05.123456',
      `${i}.000001`,
      i / 3,
      i / 7,
      i % 2 ? 'café' : null,
    ]);
  }
  await conn.execute(
    `INSERT INTO ${q('kinds')} (id, vc, tx, bl, bt, js, en, dt, dc, fl, db, latin) VALUES ?`,
    [rows],
  );
  await conn.execute(`CREATE TABLE ${q('codes')} (code VARCHAR(20) PRIMARY KEY, n INT) ENGINE=InnoDB`);
  await conn.execute(`INSERT INTO ${q('codes')} VALUES ('a', 1), ('b\tc', NULL)`);
  const reportSchema = `${db.database}_report`;
  sync = {
    pipeline: testPipeline(db, reportSchema),
    reports: [],
  };
});

afterAll(async () => {
  await conn.close();
  await db.drop();
});

/** The chunk files of a backup, concatenated and decompressed. */
function chunkText(dir: string, files: string[]): string {
  return files.map((f) => {
    const raw = readFileSync(join(dir, f));
    return (f.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  }).join('');
}

describe('backup', () => {
  it('refuses to run before any sync', async () => {
    const to = mkdtempSync(join(tmpdir(), 'dp-bk-'));
    await expect(runBackup({ pipeline: sync.pipeline, to })).rejects.toThrow(DualpipeError);
    await expect(runBackup({ pipeline: sync.pipeline, to })).rejects.toThrow(/run `dualpipe sync` first|no successful sync/);
  });

  for (const compress of ['gzip', 'none'] as const) {
    it(`writes chunks that encode every mirror row exactly (${compress})`, async () => {
      await runSync(sync);
      const to = mkdtempSync(join(tmpdir(), 'dp-bk-'));
      const r = await runBackup({ pipeline: sync.pipeline, to, compress, chunkRows: 200, threads: 2 });
      const manifest = parseManifest(readFileSync(join(r.dir, MANIFEST_FILE), 'utf8'), 'manifest.json');
      expect(manifest.tables.map((t) => t.name).sort()).toEqual(['codes', 'kinds']);
      const kinds = manifest.tables.find((t) => t.name === 'kinds')!;
      expect(kinds.rows).toBe(900);
      expect(kinds.chunks.length).toBeGreaterThan(3);
      expect(kinds.ddl).toMatch(/ENGINE=InnoDB/);
      expect(kinds.columns.map((c) => c.name)).not.toContain('gen');
      for (const t of manifest.tables) {
        for (const c of t.chunks) {
          const bytes = readFileSync(join(r.dir, c.file));
          expect(bytes.length).toBe(c.bytes);
          expect(createHash('sha256').update(bytes).digest('hex')).toBe(c.sha256);
        }
        // The wire-byte encoding must equal the reference codec applied to the raw mirror rows.
        const meta = (await discoverTables(conn, sync.pipeline.reportSchema, { engine: 'MyISAM' })).find((m) => m.name === t.name)!;
        const cols = meta.columns.filter((c) => !c.generated);
        // Read as the dump reads each column (FLOAT as its double, non-Unicode-safe strings as bytes).
        const hex = cols.map(backupHex);
        let expected = '';
        for await (const row of conn.stream(
          `SELECT ${cols.map(backupSelectExpr).join(', ')} FROM ${qualify(sync.pipeline.reportSchema, t.name)} ORDER BY ${meta.primaryKey.map(quoteId).join(', ')}`,
          [],
          { raw: true },
        )) {
          expected += encodeRow(row, hex);
        }
        // A table is dumped in one scan, in the order MyISAM stores it: compare the lines as multisets.
        const got = chunkText(r.dir, t.chunks.map((c) => c.file));
        expect(got.endsWith('\n')).toBe(true);
        expect(got.split('\n').sort()).toEqual(expected.split('\n').sort());
      }
      expect(readdirSync(join(r.dir, 'chunks')).length).toBe(manifest.tables.reduce((a, t) => a + t.chunks.length, 0));
    });
  }

  it('round-trips every column type exactly: backup of the mirrors, restore into InnoDB', async () => {
    await runSync(sync);
    const to = mkdtempSync(join(tmpdir(), 'dp-bk-'));
    const r = await runBackup({ pipeline: sync.pipeline, to, chunkRows: 150 });
    const into = `${db.database}_rt`;
    const restored = await runRestore({ connector: db.connector, from: r.dir, target: into });
    expect(restored.rows).toBe(902);
    const tables = ['kinds', 'codes'];
    expect(await schemaDigest(conn, into, tables)).toEqual(await schemaDigest(conn, db.database, tables));
    const gen = await conn.query<{ gen: number }>(`SELECT gen FROM ${qualify(into, 'kinds')} WHERE id = 21`);
    expect(Number(gen[0]!.gen)).toBe(42);
  });

  it('holds the sync lock: a sync requested during a backup exits 4, or waits and runs after it', async () => {
    await conn.execute(`INSERT INTO ${qualify(db.database, 'codes')} VALUES ('z', 26)`);
    const to = mkdtempSync(join(tmpdir(), 'dp-bk-'));
    const backup = runBackup({ pipeline: sync.pipeline, to, threads: 1, chunkRows: 10 });
    // Let the backup take its lock first (it records its run before it takes the lock).
    const name = lockName('sync', sync.pipeline.reportSchema);
    for (let i = 0; i < 500; i++) {
      const held = await conn.query<{ c: unknown }>('SELECT IS_USED_LOCK(?) AS c', [name]);
      if (held[0]?.c !== null) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await expect(runSync(sync)).rejects.toBeInstanceOf(LockBusyError);
    const waiting = runSync({ ...sync, waitForLockSeconds: 60 });
    const r = await backup;
    await waiting;
    // The backup holds the state of the sync before (no 'z'); the waiting sync ran after it.
    const codes = r.manifest.tables.find((t) => t.name === 'codes')!;
    expect(codes.rows).toBe(2);
    const mirror = await conn.query(`SELECT 1 FROM ${qualify(sync.pipeline.reportSchema, 'codes')} WHERE code = 'z'`);
    expect(mirror).toHaveLength(1);
  });

  it('a backup killed midway has no manifest, so it can never be restored', async () => {
    const to = mkdtempSync(join(tmpdir(), 'dp-bk-'));
    const child = spawnCli(['backup', '--to', to, '--threads', '1', '--source', db.url, '--log-level', 'debug']);
    await waitForOutput(child, /backup started/);
    child.kill('SIGKILL');
    await exitOf(child);
    const dirs = readdirSync(to);
    expect(dirs).toHaveLength(1);
    expect(existsSync(join(to, dirs[0]!, MANIFEST_FILE))).toBe(false);
  });
});
