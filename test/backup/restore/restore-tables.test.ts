/**
 * `restore --tables`: replaces only the named tables, checking their dependencies. Tables that
 * reference a restored table must be restored with it; parents left out stay live, and every
 * restored row must find its parent there. The rest of the schema is not touched.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../../backup/dump/run-backup.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';
import { schemaDigest } from '../../helpers/table-digest.js';

let fx: CrmFixture;
let conn: SqlConnection;
let parent: string;
let dir: string;
let atBackup: Record<string, string>;

const q = (t: string) => `\`${fx.database}\`.\`${t}\``;
const digest = () => schemaDigest(conn, fx.database, fx.tables);
const restore = (...args: string[]) => runCliCapture(['restore', '--source', fx.url, '--from', dir, '--yes', ...args]);

beforeAll(async () => {
  fx = await createCrmFixture('rtables', 0.01);
  conn = await fx.connector.connect();
  await runSync({ pipeline: fx.pipeline });
  parent = mkdtempSync(join(tmpdir(), 'dp-rtables-'));
  dir = (await runBackup({ pipeline: fx.pipeline, to: parent })).dir;
  atBackup = await digest();
});

afterAll(async () => {
  await conn.close();
  await fx.drop();
  rmSync(parent, { recursive: true, force: true });
});

describe('restore --tables', () => {
  it('replaces only the named tables; their foreign keys point at the live parents', async () => {
    await conn.execute(`DELETE FROM ${q('transaction_items')} WHERE id % 3 = 0`);
    await conn.execute(`UPDATE ${q('transactions')} SET status = 'refunded' WHERE id % 2 = 0`);
    await conn.execute(`UPDATE ${q('contacts')} SET first_name = 'Kept' WHERE id % 5 = 0`);
    const before = await digest();
    const r = await restore('--tables', 'transactions,transaction_items', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { notes: string[] }).notes.join('\n')).toMatch(/still reference the live catalog_items, contacts, organizations: until `--drop-previous`/);
    const after = await digest();
    for (const t of fx.tables) {
      const want = ['transactions', 'transaction_items'].includes(t) ? atBackup[t] : before[t];
      expect(after[t], t).toBe(want);
    }
    const [ddl] = await conn.query<{ 'Create Table': string }>(`SHOW CREATE TABLE ${q('transactions')}`);
    expect(ddl!['Create Table']).toMatch(/REFERENCES `contacts` \(`id`\) ON DELETE CASCADE/);
    await expect(conn.execute(`INSERT INTO ${q('transactions')} (contact_id, total_amount, currency, status, occurred_at) VALUES (999999999, 1, 'EUR', 'paid', NOW())`)).rejects.toThrow(/foreign key constraint fails/);
    // The cascade from the live parent reaches the restored child.
    const [one] = await conn.query<{ contact_id: number }>(`SELECT contact_id FROM ${q('transactions')} LIMIT 1`);
    await conn.execute(`DELETE FROM ${q('contacts')} WHERE id = ?`, [one!.contact_id]);
    const left = await conn.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${q('transactions')} WHERE contact_id = ?`, [one!.contact_id]);
    expect(Number(left[0]!.n)).toBe(0);
  });

  it('refuses a table whose dependents are left out, and unknown names, with nothing changed', async () => {
    const before = await digest();
    const r = await restore('--tables', 'contacts');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--tables: contacts is referenced by .*addresses.*, which are not restored/);
    expect(r.stderr).toMatch(/add .* to --tables, or bring rows back with --mode merge/);
    const u = await restore('--tables', 'transactions,nosuch');
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/--tables: nosuch is not in the backup/);
    // From the mirrors, --tables follows the same dependency rules.
    const m = await runCliCapture(['restore', '--source', fx.url, '--from-mirrors', '--tables', 'contacts', '--yes']);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/--tables: contacts is referenced by .*addresses.*, which are not restored/);
    expect(await digest()).toEqual(before);
  });

  it('refuses rows whose live parent is gone (checked before the swap), with nothing changed', async () => {
    // The contact deleted in the first test owned transactions in the backup.
    const before = await digest();
    const r = await restore('--tables', 'transactions,transaction_items');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/foreign key orphans in transactions\.fk_transactions_contact_id/);
    expect(await digest()).toEqual(before);
  });

  it('a full restore and a rollback still work after a partial one', async () => {
    const before = await digest();
    const full = await restore();
    expect(full.code, full.stderr).toBe(0);
    expect(await digest()).toEqual(atBackup);
    const back = await runCliCapture(['restore', '--source', fx.url, '--rollback', '--yes']);
    expect(back.code, back.stderr).toBe(0);
    expect(await digest()).toEqual(before);
  });
});
