import { describe, expect, it } from 'vitest';
import { parseMysqlUrl } from '../../../src/config/parse-url.js';
import { UsageError } from '../../../src/errors.js';

describe('parseMysqlUrl', () => {
  it('parses user, host, port, schema and password', () => {
    expect(parseMysqlUrl('mysql://app:s3cr%40t@db.example:3307/crm', 'source URL')).toEqual({
      user: 'app',
      password: 's3cr@t',
      host: 'db.example',
      port: 3307,
      database: 'crm',
    });
  });

  it('defaults the port and user, accepts sockets and TLS settings', () => {
    expect(parseMysqlUrl('mysql://127.0.0.1/crm', 'x')).toMatchObject({ user: 'root', port: 3306 });
    const s = parseMysqlUrl('mysql://root@localhost/crm?socket=/run/mysqld/mysqld.sock', 'x');
    expect(s.socketPath).toBe('/run/mysqld/mysqld.sock');
    expect(s.host).toBeUndefined();
    const tls = parseMysqlUrl('mysql://u@h/crm?ssl-mode=verify-ca&ssl-ca=/etc/ca.pem', 'x');
    expect(tls.ssl).toEqual({ mode: 'verify-ca', ca: '/etc/ca.pem' });
  });

  it.each([
    ['not a url', /malformed URL/],
    ['postgres://u@h/db', /unsupported URL scheme "postgres"/],
    ['mysql://u@h:99999/db', /malformed URL|invalid port/],
    ['mysql://u@h/db/extra', /single schema name/],
    ['mysql://u@h/db?colour=blue', /unknown URL parameter "colour"/],
    ['mysql://u@h/db?ssl-mode=maybe', /invalid ssl-mode/],
  ])('refuses %s with one clear line', (url, pattern) => {
    expect(() => parseMysqlUrl(url, 'source URL')).toThrow(pattern);
    expect(() => parseMysqlUrl(url, 'source URL')).toThrow(UsageError);
  });

  it('never echoes the password in an error', () => {
    try {
      parseMysqlUrl('mysql://u:hunter2@h/db?bad=1', 'source URL');
      expect.unreachable();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('hunter2');
    }
  });
});
