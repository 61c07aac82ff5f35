/**
 * The server binary's flavor comes from the binary itself (`--version`), not from its name or from
 * what else is installed: a MySQL binary on a machine that also has MariaDB is MySQL.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findServerBinary, serverFlavor } from '../../../src/server/find-server-binary.js';
import { dataDirFlavor } from '../../../src/server/server-findings.js';

const dir = mkdtempSync(join(tmpdir(), 'dp-find-server-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An executable shell script at dir/sub/name that prints `version` for --version. */
function fakeBinary(sub: string, name: string, version: string): string {
  mkdirSync(join(dir, sub), { recursive: true });
  const path = join(dir, sub, name);
  writeFileSync(path, `#!/bin/sh\necho "${path}  Ver ${version}"\n`);
  chmodSync(path, 0o755);
  return path;
}

// Both flavors' real `--version` lines (the path comes first, so a path naming mariadb must not count).
const mysqlVersion = '9.7.4-2 for Linux on x86_64 ((Debian))';
const mariaVersion = '10.11.19-MariaDB-0+deb12u1 for debian-linux-gnu on x86_64 (Debian 12)';
const installDb = fakeBinary('bin', 'mariadb-install-db', mariaVersion);

describe('findServerBinary', () => {
  it('calls an explicit MySQL binary mysql although mariadb-install-db is installed', () => {
    const mysqld = fakeBinary('mariadb-lookalike-path', 'mysqld', mysqlVersion);
    expect(findServerBinary({ explicit: mysqld, dirs: [join(dir, 'bin')] })).toEqual({
      flavor: 'mysql',
      server: mysqld,
      installDb: undefined,
    });
  });

  it("calls a mysqld that says MariaDB (Debian's link to mariadbd) mariadb, with its install-db", () => {
    const mysqld = fakeBinary('maria', 'mysqld', mariaVersion);
    expect(findServerBinary({ explicit: mysqld, dirs: [join(dir, 'bin')] })).toEqual({
      flavor: 'mariadb',
      server: mysqld,
      installDb,
    });
  });

  it('finds mysqld on the search path and asks it what it is', () => {
    const mysqld = fakeBinary('path', 'mysqld', mysqlVersion);
    expect(findServerBinary({ dirs: [join(dir, 'path')] })?.flavor).toBe('mysql');
    expect(serverFlavor(mysqld)).toBe('mysql');
  });

  it("for --server mysql skips a mysqld that is MariaDB (Debian's link) and takes the next one that is MySQL", () => {
    fakeBinary('debian-sbin', 'mysqld', mariaVersion);
    const mysqld = fakeBinary('later', 'mysqld', mysqlVersion);
    const dirs = [join(dir, 'debian-sbin'), join(dir, 'later')];
    expect(findServerBinary({ dirs, flavor: 'mysql' })?.server).toBe(mysqld);
    expect(findServerBinary({ dirs, flavor: 'mariadb' })?.server).toBe(join(dir, 'debian-sbin', 'mysqld'));
    expect(findServerBinary({ dirs: [join(dir, 'debian-sbin')], flavor: 'mysql' })).toBeUndefined();
  });

  it('tells which server initialised a data directory from its files', () => {
    for (const [sub, file, flavor] of [['dd-mysql', 'mysql.ibd', 'mysql'], ['dd-maria', 'aria_log_control', 'mariadb']] as const) {
      mkdirSync(join(dir, sub));
      writeFileSync(join(dir, sub, file), '');
      expect(dataDirFlavor(join(dir, sub))).toBe(flavor);
    }
    expect(dataDirFlavor(join(dir, 'no-such-data'))).toBeUndefined();
  });

  it('finds nothing for a missing explicit binary', () => {
    expect(findServerBinary({ explicit: join(dir, 'nope', 'mysqld') })).toBeUndefined();
  });
});
