/**
 * Surgical restore: `restore --mode merge --where` brings back a deleted contact with exactly its
 * dependent rows (addresses, tags, transactions and their items, interactions, opportunities and
 * their stage history, automation runs), never touches rows that exist now, reports conflicts,
 * and is all or nothing: bad filters, dry runs and a killed merge change nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../../backup/dump/run-backup.js';
import type { MergeResult } from '../../../backup/restore/run-merge.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { acquireRunLock, lockName } from '../../../src/lock/run-lock.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';
import { spawnCli, waitForOutput } from '../../helpers/spawn-cli.js';
import { schemaDigest } from '../../helpers/table-digest.js';

let fx: CrmFixture;
let conn: SqlConnection;
let parent: string;
let dir: string;
/** Contacts with the most dependent rows, chosen before the backup. */
let victims: number[];

const q = (t: string) => `\`${fx.database}\`.\`${t}\``;

async function dependents(id: number) {
  const one = async (sql: string) => Number((await conn.query<{ n: number | string }>(sql, [id]))[0]!.n);
  return {
    addresses: await one(`SELECT COUNT(*) AS n FROM ${q('addresses')} WHERE contact_id = ?`),
    transactions: await one(`SELECT COUNT(*) AS n FROM ${q('transactions')} WHERE contact_id = ?`),
    transaction_items: await one(`SELECT COUNT(*) AS n FROM ${q('transaction_items')} i JOIN ${q('transactions')} t ON t.id = i.transaction_id WHERE t.contact_id = ?`),
    interactions: await one(`SELECT COUNT(*) AS n FROM ${q('interactions')} WHERE contact_id = ?`),
    opportunities: await one(`SELECT COUNT(*) AS n FROM ${q('opportunities')} WHERE contact_id = ?`),
  };
}

async function merge(where: string, ...extra: string[]) {
  return runCliCapture(['restore', '--source', fx.url, '--from', dir, '--mode', 'merge', '--where', where, '--json', ...extra]);
}

async function scratchSchemas(): Promise<string[]> {
  // This fixture's only: other test files merge into their own schemas at the same time.
  const rows = await conn.query<{ s: string }>("SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE '%\\_\\_dp\\_merge%'");
  return rows.map((r) => r.s).filter((s) => s.startsWith(fx.database));
}

beforeAll(async () => {
  fx = await createCrmFixture('merge', 0.01);
  conn = await fx.connector.connect();
  const rows = await conn.query<{ id: number }>(
    `SELECT c.id FROM ${q('contacts')} c
      ORDER BY (SELECT COUNT(*) FROM ${q('transactions')} t WHERE t.contact_id = c.id)
             + (SELECT COUNT(*) FROM ${q('interactions')} i WHERE i.contact_id = c.id)
             + (SELECT COUNT(*) FROM ${q('opportunities')} o WHERE o.contact_id = c.id)
             + (SELECT COUNT(*) FROM ${q('addresses')} a WHERE a.contact_id = c.id) DESC, c.id
      LIMIT 3`,
  );
  victims = rows.map((r) => Number(r.id));
  // A table whose rows reference each other: note 1 answers note 2, which comes later by id.
  await conn.execute(
    `CREATE TABLE ${q('contact_notes')} (id INT NOT NULL PRIMARY KEY, contact_id BIGINT UNSIGNED NOT NULL, reply_to INT NULL, body VARCHAR(100) NOT NULL,
       CONSTRAINT fk_notes_contact FOREIGN KEY (contact_id) REFERENCES ${q('contacts')} (id) ON DELETE CASCADE,
       CONSTRAINT fk_notes_reply FOREIGN KEY (reply_to) REFERENCES ${q('contact_notes')} (id) ON DELETE CASCADE) ENGINE=InnoDB`,
  );
  await conn.execute(`INSERT INTO ${q('contact_notes')} VALUES (2, ?, NULL, 'question'), (1, ?, 2, 'answer'), (3, ?, NULL, 'other')`, [
    victims[0],
    victims[0],
    victims[1],
  ]);
  await runSync({ pipeline: fx.pipeline });
  parent = mkdtempSync(join(tmpdir(), 'dp-merge-'));
  dir = (await runBackup({ pipeline: fx.pipeline, to: parent })).dir;
});

afterAll(async () => {
  await conn.close();
  await fx.drop();
  rmSync(parent, { recursive: true, force: true });
});

describe('merge restore', () => {
  it('brings back one deleted contact with exactly its dependent rows, and nothing else changes', async () => {
    const id = victims[0]!;
    const deps = await dependents(id);
    expect(deps.transactions + deps.interactions + deps.addresses).toBeGreaterThan(0);
    // Work done after the backup, which the merge must leave alone.
    await conn.execute(`UPDATE ${q('contacts')} SET first_name = 'Changed' WHERE id = ?`, [victims[1]]);
    await conn.execute(`DELETE FROM ${q('interactions')} WHERE contact_id = ? LIMIT 1`, [victims[2]]);
    const before = await schemaDigest(conn, fx.database, fx.tables);
    await conn.execute(`DELETE FROM ${q('contacts')} WHERE id = ?`, [id]);
    expect((await dependents(id)).transactions).toBe(0);

    const r = await merge(`contacts.id IN (${id})`);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as MergeResult;
    const count = (t: string) => result.tables.find((x) => x.table === t)!;
    expect(count('contacts')).toMatchObject({ inBackup: 1, inserted: 1, conflicts: 0 });
    expect(count('transactions').inserted).toBe(deps.transactions);
    expect(count('transaction_items').inserted).toBe(deps.transaction_items);
    expect(count('interactions').inserted).toBe(deps.interactions);
    expect(count('addresses').inserted).toBe(deps.addresses);
    expect(count('contact_notes').inserted).toBe(2);
    expect(await conn.query(`SELECT id, reply_to FROM ${q('contact_notes')} ORDER BY id`)).toEqual([
      { id: 1, reply_to: 2 },
      { id: 2, reply_to: null },
      { id: 3, reply_to: null },
    ]);
    // Every table, every row, byte for byte as before the delete: the later work is kept.
    const after = await schemaDigest(conn, fx.database, fx.tables);
    expect(after).toEqual(before);
    expect(await scratchSchemas()).toEqual([]);
  });

  it('leaves rows that exist now alone and reports those that differ as conflicts', async () => {
    const id = victims[1]!; // renamed after the backup, in the test above
    await conn.execute(`DELETE FROM ${q('interactions')} WHERE contact_id = ?`, [id]);
    // And one of its addresses changed by case only, which the collation calls equal.
    const [addr] = await conn.query<{ id: number }>(`SELECT id FROM ${q('addresses')} WHERE contact_id = ? AND BINARY city <> BINARY UPPER(city) ORDER BY id LIMIT 1`, [id]);
    await conn.execute(`UPDATE ${q('addresses')} SET city = UPPER(city), updated_at = updated_at WHERE id = ?`, [addr!.id]);
    const r = await merge(`contacts.id = ${id}`);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as MergeResult;
    const contacts = result.tables.find((x) => x.table === 'contacts')!;
    expect(contacts).toMatchObject({ inBackup: 1, inserted: 0, identical: 0, conflicts: 1, conflictKeys: [[String(id)]] });
    expect(result.tables.find((x) => x.table === 'interactions')!.inserted).toBeGreaterThan(0);
    expect(result.tables.find((x) => x.table === 'addresses')).toMatchObject({ conflicts: 1, conflictKeys: [[String(addr!.id)]] });
    const name = await conn.query<{ first_name: string }>(`SELECT first_name FROM ${q('contacts')} WHERE id = ?`, [id]);
    expect(name[0]!.first_name).toBe('Changed');
    const again = JSON.parse((await merge(`contacts.id = ${id}`)).stdout) as MergeResult;
    expect(again.inserted).toBe(0);
  });

  it('a dry run counts and changes nothing', async () => {
    const id = victims[2]!;
    await conn.execute(`DELETE FROM ${q('contacts')} WHERE id = ?`, [id]);
    const before = await schemaDigest(conn, fx.database, fx.tables);
    const r = await merge(`contacts.id IN (${id})`, '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as MergeResult;
    expect(result.dryRun).toBe(true);
    expect(result.inserted).toBeGreaterThan(1);
    expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(before);
  });

  it('refuses bad filters with one line, exit 2, nothing changed', async () => {
    const before = await schemaDigest(conn, fx.database, fx.tables);
    const cases: [string, RegExp][] = [
      ['contacts.id IN (1); DROP DATABASE crm', /--where: unexpected ";" at character 19/],
      ["contacts.id = 1 OR 1 = 1", /AND or the end expected/],
      ['nosuch.id = 1', /names table nosuch, which is not a table of/],
      ['contacts.nosuch = 1', /contacts has no column nosuch/],
      ['contacts.id IN (999999999)', /no row of contacts in the backup matches --where/],
      ['id = 1', /--where must name its table/],
    ];
    for (const [where, message] of cases) {
      const r = await merge(where);
      expect(r.code, where).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr, where).toMatch(message);
    }
    const noWhere = await runCliCapture(['restore', '--source', fx.url, '--from', dir, '--mode', 'merge']);
    expect(noWhere.stderr).toMatch(/--mode merge needs --where/);
    expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(before);
    expect(await scratchSchemas()).toEqual([]);
  });

  it('a merge while a restore or another merge holds the lock exits 4, nothing changed', async () => {
    const before = await schemaDigest(conn, fx.database, fx.tables);
    const lock = await acquireRunLock(fx.connector, lockName('restore', fx.database));
    try {
      const r = await merge(`contacts.id = ${victims[2]}`);
      expect(r.code, r.stderr).toBe(4);
      expect(r.stderr).toMatch(/holds the lock/);
    } finally {
      await lock.release();
    }
    expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(before);
    expect(await scratchSchemas()).toEqual([]);
  });

  it('a merge killed midway changes nothing, and the next one cleans up and succeeds', async () => {
    const id = victims[2]!; // deleted by the dry-run test
    const before = await schemaDigest(conn, fx.database, fx.tables);
    const child = spawnCli(['restore', '--source', fx.url, '--from', dir, '--mode', 'merge', '--where', `contacts.id = ${id}`]);
    await waitForOutput(child, /merge planned/);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(before);
    const r = await merge(`contacts.id = ${id}`);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as MergeResult).tables.find((x) => x.table === 'contacts')!.inserted).toBe(1);
    expect(await scratchSchemas()).toEqual([]);
  });
});
