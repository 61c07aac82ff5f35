/**
 * `dualpipe archive` through the CLI (argv in, exit code and output out), on a small schema: a bad
 * filter is one line and exit 2 before anything changes; --dry-run --json follows the contract and
 * counts what the real run then moves; two runs on one source never overlap (the second is one
 * line and exit 4, and changes nothing), while a sync's lock does not stop an archive.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveLockName } from '../../ops/archive/run-archive.js';
import type { SqlConnection } from '../../src/db/connection.js';
import { lockName } from '../../src/lock/run-lock.js';
import { expectContract } from '../helpers/json-contract.js';
import { runCliCapture } from '../helpers/run-cli-capture.js';
import { exitOf, spawnCli } from '../helpers/spawn-cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

describe('dualpipe archive', () => {
  let db: TestDatabase;
  let conn: SqlConnection;
  beforeAll(async () => {
    db = await createTestDatabase('archive_cli');
    conn = await db.connector.connect();
    await conn.execute('CREATE TABLE customers (id INT PRIMARY KEY, seen DATETIME NOT NULL) ENGINE=InnoDB');
    await conn.execute('CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT NOT NULL, FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE) ENGINE=InnoDB');
    await conn.execute("INSERT INTO customers VALUES (1, NOW() - INTERVAL 3 YEAR), (2, NOW() - INTERVAL 3 YEAR), (3, NOW())");
    await conn.execute('INSERT INTO orders VALUES (10, 1), (11, 1), (12, 2), (13, 3)');
  }, 60_000);
  afterAll(async () => {
    await conn?.close();
    await db?.drop();
  });

  it('a bad filter is one line and exit 2, and nothing changes', async () => {
    for (const where of ['nosuch.id = 1', 'customers.nosuch < 1', 'customers.seen < NOW() - INTERVAL 2 DECADE']) {
      const r = await runCliCapture(['archive', '--where', where, '--source', db.url]);
      expect(r.code, where).toBe(2);
      expect(r.stderr.trim().split('\n')[0], where).toMatch(/--where/);
    }
    const doc = expectContract(await runCliCapture(['archive', '--where', 'customers.id <> 1', '--json', '--source', db.url]), 'archive', 2) as { error: { code: string } };
    expect(doc.error.code).toBe('USAGE');
    expect(await conn.query("SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = CONCAT(DATABASE(), '_archive')")).toEqual([]);
  });

  it('--dry-run --json counts what the run then moves', async () => {
    const where = 'customers.seen < NOW() - INTERVAL 2 YEAR';
    const dry = expectContract(await runCliCapture(['archive', '--where', where, '--dry-run', '--json', '--source', db.url]), 'archive', 0);
    expect(dry).toMatchObject({ dryRun: true, subjects: 2, tables: [{ table: 'customers', rows: 2 }, { table: 'orders', rows: 3 }] });
    const real = await runCliCapture(['archive', '--where', where, '--chunk-rows', '1', '--source', db.url]);
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout).toMatch(/customers: moved 2 subject\(s\) in 2 chunk\(s\)/);
    expect(await conn.query('SELECT id FROM orders ORDER BY id')).toEqual([{ id: 13 }]);
    expect(await conn.query(`SELECT id, customer_id FROM \`${db.database}_archive\`.orders ORDER BY id`)).toEqual([
      { id: 10, customer_id: 1 },
      { id: 11, customer_id: 1 },
      { id: 12, customer_id: 2 },
    ]);
  });
});

describe('dualpipe archive run lock', () => {
  let db: TestDatabase;
  let conn: SqlConnection;
  let other: SqlConnection;
  const where = 'customers.seen < NOW() - INTERVAL 2 YEAR';
  const archived = async () =>
    (await conn.query<{ id: number }>(`SELECT id FROM \`${db.database}_archive\`.customers ORDER BY id`)).map((r) => Number(r.id));
  beforeAll(async () => {
    db = await createTestDatabase('archive_lock');
    conn = await db.connector.connect();
    other = await db.connector.connect();
    await conn.execute('CREATE TABLE customers (id INT PRIMARY KEY, seen DATETIME NOT NULL) ENGINE=InnoDB');
    await conn.execute('CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT NOT NULL, FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE) ENGINE=InnoDB');
    // Customers 1..20 are old, 21..24 recent; every customer has two orders.
    for (let id = 1; id <= 24; id++) {
      await conn.execute(`INSERT INTO customers VALUES (?, NOW() - INTERVAL ${id <= 20 ? 3 : 0} YEAR)`, [id]);
      await conn.execute('INSERT INTO orders VALUES (?, ?), (?, ?)', [id * 10, id, id * 10 + 1, id]);
    }
  }, 60_000);
  afterAll(async () => {
    await other?.close();
    await conn?.close();
    await db?.drop();
  });

  it('a second run while the first holds the lock exits 4 with one line and changes nothing; the first finishes exactly', async () => {
    // A writer holds customer 8 (FOR UPDATE): the first run stops in its 8th chunk, lock held, until it commits.
    await other.execute('START TRANSACTION');
    await other.query('SELECT id FROM customers WHERE id = 8 FOR UPDATE');
    const first = spawnCli(['archive', '--where', where, '--chunk-rows', '1', '--source', db.url]);
    try {
      const journal = `\`${db.database}_archive\`._dualpipe_archive_journal`;
      for (let i = 0; ; i++) {
        const waiting = await conn
          .query(`SELECT 1 FROM ${journal} WHERE root_keys = '[[8]]' AND state = 'copying'`)
          .catch(() => []);
        if (waiting.length > 0) break;
        expect(first.exitCode, first.stderrText()).toBeNull();
        expect(i, 'the first run never reached the held customer').toBeLessThan(600);
        await sleep(50);
      }
      const before = await archived();
      expect(before).toEqual([1, 2, 3, 4, 5, 6, 7]);
      const runsBefore = await conn.query(`SELECT DISTINCT run_id FROM ${journal}`);
      const second = await runCliCapture(['archive', '--where', where, '--chunk-rows', '1', '--source', db.url]);
      expect(second.code, second.stderr).toBe(4);
      expect(second.stderr.trim().split('\n')[0]).toContain(`another dualpipe run holds the lock ${archiveLockName(db.database)}: archive session`);
      expect(second.stdout).toBe('');
      const json = expectContract(await runCliCapture(['archive', '--where', where, '--json', '--source', db.url]), 'archive', 4) as { error: { code: string } };
      expect(json.error.code).toBe('LOCK_BUSY');
      // Nothing changed: no new run in the journal, the same archive rows, the first still waiting.
      expect(await conn.query(`SELECT DISTINCT run_id FROM ${journal}`)).toEqual(runsBefore);
      expect(await archived()).toEqual(before);
      expect(first.exitCode).toBeNull();
    } finally {
      await other.execute('COMMIT');
    }
    expect(await exitOf(first), first.stderrText()).toBe(0);
    expect(await archived()).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect((await conn.query<{ id: number }>('SELECT id FROM customers ORDER BY id')).map((r) => Number(r.id))).toEqual([21, 22, 23, 24]);
    const [orders] = await conn.query<{ n: number; d: number }>(`SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d FROM \`${db.database}_archive\`.orders`);
    expect([Number(orders!.n), Number(orders!.d)]).toEqual([40, 40]);
    expect(Number((await conn.query<{ n: number }>('SELECT COUNT(*) AS n FROM orders'))[0]!.n)).toBe(8);
    // The lock died with the run: it is free again.
    expect(Number((await conn.query<{ f: number }>('SELECT IS_FREE_LOCK(?) AS f', [archiveLockName(db.database)]))[0]!.f)).toBe(1);
  }, 120_000);

  it('a sync lock on the same source or its report schema does not stop an archive', async () => {
    await conn.execute('INSERT INTO customers VALUES (30, NOW() - INTERVAL 3 YEAR)');
    const held = await other.query<{ a: number; b: number }>('SELECT GET_LOCK(?, 0) AS a, GET_LOCK(?, 0) AS b', [lockName('sync', db.database), lockName('sync', `${db.database}_report`)]);
    expect([Number(held[0]!.a), Number(held[0]!.b)]).toEqual([1, 1]);
    try {
      const r = await runCliCapture(['archive', '--where', where, '--source', db.url]);
      expect(r.code, r.stderr).toBe(0);
      expect(await archived()).toContain(30);
    } finally {
      await other.query('SELECT RELEASE_ALL_LOCKS()');
    }
  }, 60_000);
});
