/**
 * `dualpipe archive` through the CLI (argv in, exit code and output out), on a small schema: a bad
 * filter is one line and exit 2 before anything changes; --dry-run --json follows the contract and
 * counts what the real run then moves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../src/db/connection.js';
import { expectContract } from '../helpers/json-contract.js';
import { runCliCapture } from '../helpers/run-cli-capture.js';
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
