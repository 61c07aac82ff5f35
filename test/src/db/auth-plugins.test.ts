/**
 * Password accounts over plain TCP, as a DBA's role accounts connect. MySQL fact: its default plugin
 * is caching_sha2_password; the first login of an account (and every login after FLUSH PRIVILEGES
 * empties the cache) is a full authentication, which over a connection without TLS needs the
 * server's RSA public key to send the password (mysql2 asks the server for it). Later logins are
 * the fast path. MariaDB checks mysql_native_password the same way every time.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { createConnector } from '../../../src/db/mysql-driver.js';
import { testServerTarget } from '../../helpers/test-database.js';

const user = `dp_auth_${randomBytes(3).toString('hex')}`;
const password = `pw-${randomBytes(6).toString('hex')}`;
let root: SqlConnection;
let plugin = '';

beforeAll(async () => {
  root = await createConnector(testServerTarget()).connect({ database: null });
  await root.execute(`CREATE USER ?@'127.0.0.1' IDENTIFIED BY ?`, [user, password]);
  plugin = (await root.query<{ p: string }>("SELECT plugin AS p FROM mysql.user WHERE user = ? AND host = '127.0.0.1'", [user]))[0]!.p;
});

afterAll(async () => {
  await root?.execute(`DROP USER IF EXISTS ?@'127.0.0.1'`, [user]);
  await root?.close();
});

/** Logs in over TCP without TLS and returns the server's view of the session's user and cipher. */
async function login(pw: string): Promise<{ who: string; cipher: string }> {
  const conn = await createConnector({ ...testServerTarget(), user, password: pw }).connect({ database: null });
  try {
    const who = (await conn.query<{ u: string }>('SELECT CURRENT_USER() AS u'))[0]!.u;
    const cipher = (await conn.query<{ Value: string }>("SHOW SESSION STATUS LIKE 'Ssl_cipher'"))[0]?.Value ?? '';
    return { who, cipher };
  } finally {
    await conn.close();
  }
}

describe('password accounts over plain TCP', () => {
  it('log in the first time, the second time, and after FLUSH PRIVILEGES, without TLS', async () => {
    expect(['caching_sha2_password', 'mysql_native_password']).toContain(plugin);
    for (let i = 0; i < 2; i++) expect(await login(password)).toEqual({ who: `${user}@127.0.0.1`, cipher: '' });
    await root.execute('FLUSH PRIVILEGES');
    expect((await login(password)).who).toBe(`${user}@127.0.0.1`);
  });

  it('refuse a wrong password with the server\'s access-denied error', async () => {
    await expect(login(`${password}x`)).rejects.toMatchObject({ name: 'ConnectionError', cause: { errno: 1045 } });
  });
});
