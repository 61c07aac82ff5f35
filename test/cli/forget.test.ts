/**
 * `dualpipe forget` through the CLI (argv in, exit code and output out), on a small schema: no key,
 * an empty reason and a bad filter are one line and exit 2 with nothing changed; --dry-run --json
 * follows the contract and needs no key; the real run (key from DUALPIPE_ERASURE_KEY_FILE, --yes)
 * erases, publishes, says so, and logs neither the --where text nor a key value; a rerun says
 * "nothing to forget".
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../src/db/connection.js';
import { lockName } from '../../src/lock/run-lock.js';
import { expectContract } from '../helpers/json-contract.js';
import { runCliCapture } from '../helpers/run-cli-capture.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

describe('dualpipe forget', () => {
  let db: TestDatabase;
  let conn: SqlConnection;
  let keyFile: string;
  const where = "customers.email IN ('ann@example.org')";
  const rows = async () => (await conn.query<{ id: number }>('SELECT id FROM orders ORDER BY id')).map((r) => Number(r.id));
  beforeAll(async () => {
    db = await createTestDatabase('forget_cli');
    conn = await db.connector.connect();
    await conn.execute('CREATE TABLE customers (id INT PRIMARY KEY, email VARCHAR(100) NOT NULL) ENGINE=InnoDB');
    await conn.execute('CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT NOT NULL, FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE) ENGINE=InnoDB');
    await conn.execute('CREATE TABLE order_lines (id INT PRIMARY KEY, order_id INT NOT NULL, FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE) ENGINE=InnoDB');
    await conn.execute("INSERT INTO customers VALUES (1, 'ann@example.org'), (2, 'bob@example.org')");
    await conn.execute('INSERT INTO orders VALUES (10, 1), (11, 1), (12, 2)');
    await conn.execute('INSERT INTO order_lines VALUES (100, 10), (101, 11), (102, 12)');
    const dir = mkdtempSync(join(tmpdir(), 'dp-forget-'));
    keyFile = join(dir, 'erasure.key');
    writeFileSync(keyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  }, 60_000);
  afterAll(async () => {
    await conn?.close();
    await db?.drop();
  });

  it('no key, an empty reason or a bad filter: one line, exit 2, nothing changed', async () => {
    for (const argv of [
      ['--where', where, '--reason', 'r', '--yes'],
      ['--where', where, '--reason', '', '--erasure-key-file', keyFile, '--yes'],
      ['--where', 'customers.nosuch IN (1)', '--reason', 'r', '--erasure-key-file', keyFile, '--yes'],
      ['--where', "customers.email IN 'ann@example.org'", '--reason', 'r', '--erasure-key-file', keyFile, '--yes'],
      ['--reason', 'r', '--erasure-key-file', keyFile, '--yes'],
      ['--reapply', '--where', where, '--erasure-key-file', keyFile],
      ['--reapply'],
    ]) {
      const r = await runCliCapture(['forget', ...argv, '--source', db.url]);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')[0], argv.join(' ')).toMatch(/erasure key|reason|--where|--reapply takes no/);
      // A parse error shows where, not what: the text may be the person's e-mail address.
      expect(r.stderr + r.stdout, argv.join(' ')).not.toContain('ann@');
    }
    const doc = expectContract(await runCliCapture(['forget', '--where', 'customers.id <> 1', '--reason', 'r', '--dry-run', '--json', '--source', db.url]), 'forget', 2) as { error: { code: string } };
    expect(doc.error.code).toBe('USAGE');
    expect(await rows()).toEqual([10, 11, 12]);
    expect(await conn.query("SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = CONCAT(DATABASE(), '__dualpipe')")).toEqual([]);
  });

  it('--dry-run --json needs no key and counts what the run erases; the run publishes; a rerun has nothing to forget', async () => {
    const dry = expectContract(await runCliCapture(['forget', '--where', where, '--reason', 'request 7', '--dry-run', '--json', '--source', db.url]), 'forget', 0);
    expect(dry).toMatchObject({ dryRun: true, subjects: 1, tables: [{ table: 'customers', source: 1 }, { table: 'orders', source: 2 }, { table: 'order_lines', source: 2 }] });
    const logFile = join(mkdtempSync(join(tmpdir(), 'dp-forget-log-')), 'run.log');
    const env = { DUALPIPE_ERASURE_KEY_FILE: keyFile, DUALPIPE_LOG_LEVEL: 'debug', DUALPIPE_LOG_FILE: logFile };
    const real = await runCliCapture(['forget', '--where', where, '--reason', 'request 7', '--yes', '--source', db.url], env);
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout).toMatch(/customers: erased 1 subject\(s\) from .* in 1 transaction\(s\)/);
    expect(real.stdout).toMatch(/mirrors and reports: published by a full sync/);
    expect(await rows()).toEqual([12]);
    expect(await conn.query(`SELECT id FROM \`${db.database}_report\`.orders ORDER BY id`)).toEqual([{ id: 12 }]);
    const log = readFileSync(logFile, 'utf8');
    expect(log).toMatch(/forget: erased 1 customers row/);
    expect(log + real.stdout + real.stderr).not.toContain('ann@example.org');
    const history = await conn.query<{ r: string }>(`SELECT CAST(CONCAT_WS('|', kind, details, error) AS CHAR) AS r FROM \`${db.database}_report__dualpipe\`._dualpipe_runs`);
    expect(history.length).toBeGreaterThan(0);
    expect(history.map((h) => h.r).join('\n')).not.toContain('ann@example.org');
    const again = await runCliCapture(['forget', '--where', where, '--reason', 'request 7', '--yes', '--source', db.url], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/nothing to forget/);
  }, 120_000);

  it('a failed publish says where the subject still is, exits 1, and the rerun publishes', async () => {
    const holder = await db.connector.connect();
    await holder.query('SELECT GET_LOCK(?, 0)', [lockName('sync', `${db.database}_report`)]);
    const env = { DUALPIPE_ERASURE_KEY_FILE: keyFile };
    const bob = "customers.email IN ('bob@example.org')";
    const failed = await runCliCapture(['forget', '--where', bob, '--reason', 'request 8', '--yes', '--wait-lock', '0', '--source', db.url], env);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/erased from the source and the archive, but the sync that publishes it failed: the mirrors and reports still hold the subject until a sync succeeds/);
    expect(await rows()).toEqual([]);
    expect(await conn.query(`SELECT id FROM \`${db.database}_report\`.orders ORDER BY id`)).toEqual([{ id: 12 }]);
    await holder.close();
    const rerun = await runCliCapture(['forget', '--where', bob, '--reason', 'request 8', '--yes', '--source', db.url], env);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toMatch(/published by a full sync.*1 ledger entry copied/);
    expect(await conn.query(`SELECT id FROM \`${db.database}_report\`.orders ORDER BY id`)).toEqual([]);
  }, 120_000);
});
