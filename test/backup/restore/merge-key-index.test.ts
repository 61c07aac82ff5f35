/**
 * A merge restore priced by what it brings back: a backup records each chunk's key ranges, and a
 * merge of one contact reads only the chunks that can hold it and its dependents, with exactly the
 * result of reading the whole backup (an older backup without the ranges, which still merges the
 * slow way, is the oracle). Composite and string keys, a filter on a column with no recorded
 * range, and an encrypted backup (ranges inside the sealed table list) merge exactly too.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../../backup/dump/run-backup.js';
import { type BackupKey, readBackupKey, writeNewKey } from '../../../backup/format/backup-key.js';
import { parseManifest } from '../../../backup/format/manifest-seal.js';
import { type MergeResult, runMerge } from '../../../backup/restore/run-merge.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { schemaDigest } from '../../helpers/table-digest.js';
import { stripBlocks } from '../../helpers/strip-blocks.js';

let fx: CrmFixture;
let conn: SqlConnection;
let parent: string;
/** Backup with key ranges; the same with them stripped (as written before they were recorded); an encrypted one. */
let indexed: string;
let old: string;
let sealed: string;
let key: BackupKey;
let victim: number;
let tables: string[];

const q = (t: string) => `\`${fx.database}\`.\`${t}\``;
const EXTRA = ['contact_labels', 'coupons', 'coupon_uses'];

beforeAll(async () => {
  fx = await createCrmFixture('mergeidx', 0.01);
  conn = await fx.connector.connect();
  // A composite primary key with a string part, a string primary key, and a string foreign key.
  await conn.execute(
    `CREATE TABLE ${q('contact_labels')} (contact_id BIGINT UNSIGNED NOT NULL, label VARCHAR(20) NOT NULL, PRIMARY KEY (contact_id, label),
       CONSTRAINT fk_labels_contact FOREIGN KEY (contact_id) REFERENCES ${q('contacts')} (id) ON DELETE CASCADE) ENGINE=InnoDB`,
  );
  await conn.execute(
    `CREATE TABLE ${q('coupons')} (code VARCHAR(20) NOT NULL PRIMARY KEY, contact_id BIGINT UNSIGNED NOT NULL,
       CONSTRAINT fk_coupons_contact FOREIGN KEY (contact_id) REFERENCES ${q('contacts')} (id) ON DELETE CASCADE) ENGINE=InnoDB`,
  );
  await conn.execute(
    `CREATE TABLE ${q('coupon_uses')} (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, code VARCHAR(20) NOT NULL,
       CONSTRAINT fk_uses_coupon FOREIGN KEY (code) REFERENCES ${q('coupons')} (code) ON DELETE CASCADE) ENGINE=InnoDB`,
  );
  await conn.execute(`INSERT INTO ${q('contact_labels')} SELECT id, 'gold' FROM ${q('contacts')} UNION ALL SELECT id, 'Vip' FROM ${q('contacts')}`);
  await conn.execute(`INSERT INTO ${q('coupons')} SELECT CONCAT('C-', id), id FROM ${q('contacts')}`);
  await conn.execute(`INSERT INTO ${q('coupon_uses')} (code) SELECT code FROM ${q('coupons')} UNION ALL SELECT code FROM ${q('coupons')} ORDER BY 1`);
  const rows = await conn.query<{ id: number }>(
    `SELECT c.id FROM ${q('contacts')} c ORDER BY (SELECT COUNT(*) FROM ${q('transactions')} t WHERE t.contact_id = c.id)
       + (SELECT COUNT(*) FROM ${q('interactions')} i WHERE i.contact_id = c.id) DESC, c.id LIMIT 1`,
  );
  victim = Number(rows[0]!.id);
  tables = [...fx.tables, ...EXTRA];
  await runSync({ pipeline: fx.pipeline });
  parent = mkdtempSync(join(tmpdir(), 'dp-mergeidx-'));
  // Small chunks, so a table has many and choosing among them shows.
  indexed = (await runBackup({ pipeline: fx.pipeline, to: join(parent, 'a'), createDirs: true, chunkRows: 200 })).dir;
  old = stripBlocks(indexed, join(parent, 'old'), { keyIndex: false });
  const keyFile = join(parent, 'backup.key');
  await writeNewKey(keyFile);
  key = await readBackupKey(keyFile);
  sealed = (await runBackup({ pipeline: fx.pipeline, to: join(parent, 'e'), createDirs: true, chunkRows: 200, key })).dir;
}, 240_000);

afterAll(async () => {
  await conn?.close();
  await fx?.drop();
  rmSync(parent, { recursive: true, force: true });
});

/** Deletes the victim (its dependents cascade), merges it back from `from`, and checks every row is as before. */
async function deleteAndMerge(from: string, where: string, withKey?: BackupKey): Promise<MergeResult> {
  const before = await schemaDigest(conn, fx.database, tables);
  await conn.execute(`DELETE FROM ${q('contacts')} WHERE id = ?`, [victim]);
  const [gone] = await conn.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${q('coupon_uses')} WHERE code = ?`, [`C-${victim}`]);
  expect(Number(gone!.n)).toBe(0);
  const r = await runMerge({ connector: fx.connector, from, target: fx.database, where, ...(withKey ? { key: withKey } : {}) });
  expect(await schemaDigest(conn, fx.database, tables)).toEqual(before);
  return r;
}

const inserted = (r: MergeResult) => Object.fromEntries(r.tables.map((t) => [t.table, t.inserted]));

describe('merge restore with the chunks key index', () => {
  it('records integer key ranges per chunk, and leaves string keys out', () => {
    const m = parseManifest(readFileSync(join(indexed, 'manifest.json'), 'utf8'), 'manifest.json');
    const t = (name: string) => m.tables.find((x) => x.name === name)!;
    expect(t('contacts').keyColumns).toContain('id');
    expect(t('transactions').keyColumns).toEqual(expect.arrayContaining(['id', 'contact_id']));
    expect(t('coupons').keyColumns).toEqual(['contact_id']);
    expect(t('coupon_uses').keyColumns).toEqual(['id']);
    expect(t('contact_labels').keyColumns).toEqual(['contact_id']);
    const contacts = t('contacts');
    expect(contacts.chunks.length).toBeGreaterThan(2);
    const k = contacts.keyColumns!.indexOf('id');
    for (const c of contacts.chunks) {
      const [lo, hi] = c.keyRanges![k]!;
      expect(BigInt(lo) <= BigInt(hi)).toBe(true);
    }
  });

  it('brings back one contact reading a small part of the chunks, exactly as reading them all', async () => {
    const fast = await deleteAndMerge(indexed, `contacts.id = ${victim}`);
    expect(fast.keyIndex).toBe(true);
    expect(fast.chunksRead).toBeLessThan(fast.chunksTotal / 4);
    const slow = await deleteAndMerge(old, `contacts.id = ${victim}`);
    expect(slow.keyIndex).toBe(false);
    expect(slow.chunksRead).toBe(slow.chunksTotal);
    expect(inserted(fast)).toEqual(inserted(slow));
    expect(inserted(fast)).toMatchObject({ contacts: 1, contact_labels: 2, coupons: 1, coupon_uses: 2 });
    expect(fast.inserted).toBeGreaterThan(10);
  });

  it('a filter on a column without ranges reads the root table whole, and still only some chunks of the rest', async () => {
    const [c] = await conn.query<{ email: string }>(`SELECT email FROM ${q('contacts')} WHERE id = ?`, [victim]);
    const r = await deleteAndMerge(indexed, `contacts.email = '${c!.email.replaceAll("'", "''")}'`);
    expect(r.keyIndex).toBe(true);
    expect(r.inserted).toBeGreaterThan(10);
    expect(r.chunksRead).toBeLessThan(r.chunksTotal / 2);
  });

  it('a BETWEEN and an IN choose the chunks of their keys', async () => {
    const r = await deleteAndMerge(indexed, `contacts.id BETWEEN ${victim} AND ${victim}`);
    expect(r.keyIndex).toBe(true);
    expect(r.chunksRead).toBeLessThan(r.chunksTotal / 4);
    expect(inserted(r)).toMatchObject({ contacts: 1, coupon_uses: 2 });
    const s = await deleteAndMerge(indexed, `contacts.id IN (${victim}, 999999999)`);
    expect(inserted(s)).toEqual(inserted(r));
  });

  it('a changed chunk it reads fails the merge with nothing changed', async () => {
    const bad = join(parent, 'bad');
    cpSync(indexed, bad, { recursive: true });
    const m = parseManifest(readFileSync(join(bad, 'manifest.json'), 'utf8'), 'manifest.json');
    // Every chunk of contacts: one byte changed in place (same size, another hash).
    for (const c of m.tables.find((t) => t.name === 'contacts')!.chunks) {
      const path = join(bad, c.file);
      const bytes = readFileSync(path);
      bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 1;
      writeFileSync(path, bytes);
    }
    const before = await schemaDigest(conn, fx.database, tables);
    await conn.execute(`DELETE FROM ${q('contacts')} WHERE id = ?`, [victim]);
    const during = await schemaDigest(conn, fx.database, tables);
    await expect(runMerge({ connector: fx.connector, from: bad, target: fx.database, where: `contacts.id = ${victim}` })).rejects.toThrow(
      /SHA-256|damaged|loading chunk/i,
    );
    expect(await schemaDigest(conn, fx.database, tables)).toEqual(during);
    expect(during).not.toEqual(before);
    await runMerge({ connector: fx.connector, from: indexed, target: fx.database, where: `contacts.id = ${victim}` });
    expect(await schemaDigest(conn, fx.database, tables)).toEqual(before);
  });

  it('an encrypted backup merges the fast way with its key', async () => {
    const r = await deleteAndMerge(sealed, `contacts.id = ${victim}`, key);
    expect(r.keyIndex).toBe(true);
    expect(r.chunksRead).toBeLessThan(r.chunksTotal / 4);
    expect(inserted(r)).toMatchObject({ contacts: 1, coupons: 1, coupon_uses: 2 });
  });
});
