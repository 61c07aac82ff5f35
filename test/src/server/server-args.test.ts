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
});
