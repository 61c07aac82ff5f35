/** A deadlock victim is run again; other errors, and a deadlock that keeps coming back, are thrown. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify } from '../../../src/db/quote.js';
import { isDeadlock, retryOnDeadlock } from '../../../src/db/retry-deadlock.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

const deadlock = Object.assign(new Error('Deadlock found when trying to get lock'), { errno: 1213 });

describe('retryOnDeadlock', () => {
  it('runs again after a deadlock, and gives up after the last attempt', async () => {
    let calls = 0;
    await expect(retryOnDeadlock(async () => (++calls < 3 ? Promise.reject(deadlock) : 'done'), 5, 1)).resolves.toBe('done');
    expect(calls).toBe(3);
    calls = 0;
    await expect(retryOnDeadlock(async () => (++calls, Promise.reject(deadlock)), 4, 1)).rejects.toBe(deadlock);
    expect(calls).toBe(4);
  });

  it('does not run again after another error', async () => {
    let calls = 0;
    const other = Object.assign(new Error('Duplicate entry'), { errno: 1062 });
    await expect(retryOnDeadlock(async () => (++calls, Promise.reject(other)), 5, 1)).rejects.toBe(other);
    expect(calls).toBe(1);
  });
});

describe('isDeadlock on the test server', () => {
  let db: TestDatabase;
  let a: SqlConnection;
  let b: SqlConnection;
  beforeAll(async () => {
    db = await createTestDatabase('deadlock');
    a = await db.connector.connect();
    b = await db.connector.connect();
    await a.execute(`CREATE TABLE ${qualify(db.database, 'd')} (id INT PRIMARY KEY, v INT) ENGINE=InnoDB`);
    await a.execute(`INSERT INTO ${qualify(db.database, 'd')} VALUES (1, 0), (2, 0)`);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  it("recognises the server's own deadlock error", async () => {
    const t = qualify(db.database, 'd');
    await a.execute('BEGIN');
    await b.execute('BEGIN');
    await a.execute(`UPDATE ${t} SET v = 1 WHERE id = 1`);
    await b.execute(`UPDATE ${t} SET v = 1 WHERE id = 2`);
    const results = await Promise.allSettled([
      a.execute(`UPDATE ${t} SET v = 2 WHERE id = 2`),
      b.execute(`UPDATE ${t} SET v = 2 WHERE id = 1`),
    ]);
    await a.execute('ROLLBACK');
    await b.execute('ROLLBACK');
    const failed = results.filter((r) => r.status === 'rejected');
    expect(failed).toHaveLength(1);
    expect(isDeadlock((failed[0] as PromiseRejectedResult).reason)).toBe(true);
  });
});
