import { describe, expect, it } from 'vitest';
import { serverArgs } from '../../../src/server/server-args.js';

describe('serverArgs', () => {
  it('gives each server its own temporary folder inside its directory', () => {
    const bin = { flavor: 'mariadb' as const, server: '/usr/sbin/mariadbd', installDb: undefined };
    const a = serverArgs(bin, { dataDir: '/x/a/data', socket: '/x/a/s', port: 1, dir: '/x/a' }, []);
    const b = serverArgs(bin, { dataDir: '/x/b/data', socket: '/x/b/s', port: 2, dir: '/x/b' }, []);
    expect(a).toContain('--tmpdir=/x/a/tmp');
    expect(b).toContain('--tmpdir=/x/b/tmp');
  });

  it("points MySQL's secure_file_priv at the server's own folder (the compiled-in one may not exist)", () => {
    const bin = { flavor: 'mysql' as const, server: '/opt/mysql/bin/mysqld', installDb: undefined };
    const args = serverArgs(bin, { dataDir: '/x/a/data', socket: '/x/a/s', port: 1, dir: '/x/a' }, []);
    expect(args).toContain('--secure-file-priv=/x/a/tmp');
    // MySQL 9 refuses innodb_log_file_size (replaced by innodb_redo_log_capacity); MariaDB keeps it.
    expect(args.some((a) => a.startsWith('--innodb-log-file-size'))).toBe(false);
    expect(args).toContain('--innodb-redo-log-capacity=512M');
    expect(args[0]).toBe('--no-defaults');
  });

  it('turns off the TLS MySQL would serve with certificates of its own, unless asked to serve TLS', () => {
    const bin = { flavor: 'mysql' as const, server: '/opt/mysql/bin/mysqld', installDb: undefined };
    const s = { dataDir: '/x/a/data', socket: '/x/a/s', port: 1, dir: '/x/a' };
    expect(serverArgs(bin, s, [])).toContain('--tls-version=');
    const tls = serverArgs(bin, s, [], { cert: '/c.pem', key: '/k.pem' });
    expect(tls).not.toContain('--tls-version=');
    expect(tls).toContain('--ssl-cert=/c.pem');
  });
});
