/**
 * The choice of server for `db start`: what is started, installed, fetched or refused for each
 * combination of what was asked (`--server`, `--install`) and what was found. Pure: no binaries run.
 */
import { describe, expect, it } from 'vitest';
import type { ServerBinary } from '../../../src/server/find-server-binary.js';
import { planServer, type ServerFindings } from '../../../src/server/server-plan.js';

const maria: ServerBinary = { flavor: 'mariadb', server: '/usr/sbin/mariadbd', installDb: '/usr/bin/mariadb-install-db' };
const pathMysql: ServerBinary = { flavor: 'mysql', server: '/usr/sbin/mysqld', installDb: undefined };
const cachedMysql: ServerBinary = { flavor: 'mysql', server: '/root/.cache/dualpipe-mysql/bin/mysqld', installDb: undefined };
const cacheDir = '/root/.cache/dualpipe-mysql';

const found = (over: Partial<ServerFindings> = {}): ServerFindings => ({ cacheDir, onPath: {}, ...over });

describe('planServer', () => {
  it('defaults to MariaDB from the system when both are there, and installs MariaDB with apt-get when nothing is', () => {
    expect(planServer({ install: false }, found({ onPath: { mariadb: maria, mysql: pathMysql }, cached: cachedMysql }))).toEqual({
      action: 'start',
      binary: maria,
      from: 'path',
    });
    expect(planServer({ install: true }, found())).toEqual({ action: 'install', route: 'apt-mariadb' });
    expect(planServer({ install: true }, found({ cached: cachedMysql }))).toEqual({ action: 'install', route: 'apt-mariadb' });
  });

  it('takes a system MySQL by default when it is the only server installed', () => {
    expect(planServer({ install: false }, found({ onPath: { mysql: pathMysql } }))).toMatchObject({ action: 'start', binary: pathMysql });
  });

  it('--server mysql prefers the fetched cache over PATH, and uses PATH when the cache is empty', () => {
    expect(planServer({ server: 'mysql', install: false }, found({ cached: cachedMysql, onPath: { mariadb: maria, mysql: pathMysql } }))).toEqual({
      action: 'start',
      binary: cachedMysql,
      from: 'cache',
    });
    expect(planServer({ server: 'mysql', install: false }, found({ onPath: { mariadb: maria, mysql: pathMysql } }))).toEqual({
      action: 'start',
      binary: pathMysql,
      from: 'path',
    });
  });

  it('--install --server mysql with no MySQL fetches it, even when MariaDB is installed', () => {
    expect(planServer({ server: 'mysql', install: true }, found({ onPath: { mariadb: maria } }))).toEqual({ action: 'install', route: 'fetch-mysql' });
  });

  it('--server mysql without --install and without a MySQL binary refuses with the command to run', () => {
    const plan = planServer({ server: 'mysql', install: false }, found({ onPath: { mariadb: maria } }));
    expect(plan).toMatchObject({ action: 'refuse' });
    if (plan.action !== 'refuse') throw new Error('expected a refusal');
    expect(plan.message).toContain('dualpipe db start --install --server mysql');
    expect(plan.message).toContain(cacheDir);
    expect(plan.message).not.toContain('\n');
  });

  it('--server mariadb never takes MySQL, and says how to install MariaDB', () => {
    const plan = planServer({ server: 'mariadb', install: false }, found({ onPath: { mysql: pathMysql }, cached: cachedMysql }));
    expect(plan).toMatchObject({ action: 'refuse', hint: expect.stringContaining('mariadb-server-core') as unknown });
    expect(planServer({ server: 'mariadb', install: true }, found({ onPath: { mysql: pathMysql } }))).toEqual({ action: 'install', route: 'apt-mariadb' });
  });

  it('DUALPIPE_SERVER_BINARY wins, but not when it is missing or of the other flavor', () => {
    const explicit = { path: cachedMysql.server, binary: cachedMysql };
    expect(planServer({ install: false }, found({ explicit, onPath: { mariadb: maria } }))).toEqual({ action: 'start', binary: cachedMysql, from: 'explicit' });
    expect(planServer({ server: 'mysql', install: true }, found({ explicit }))).toMatchObject({ action: 'start', from: 'explicit' });
    expect(planServer({ server: 'mariadb', install: true }, found({ explicit, onPath: { mariadb: maria } }))).toMatchObject({
      action: 'refuse',
      message: expect.stringContaining('is MySQL, not MariaDB') as unknown,
    });
    expect(planServer({ install: true }, found({ explicit: { path: '/nope/mysqld', binary: undefined }, onPath: { mariadb: maria } }))).toMatchObject({
      action: 'refuse',
      message: expect.stringContaining('/nope/mysqld is not an executable file') as unknown,
    });
  });

  it('without --server restarts the kind that initialised the data directory', () => {
    const all = { onPath: { mariadb: maria }, cached: cachedMysql };
    expect(planServer({ install: false }, found({ ...all, dataFlavor: 'mysql' }))).toMatchObject({ action: 'start', binary: cachedMysql });
    expect(planServer({ install: false }, found({ ...all, dataFlavor: 'mariadb' }))).toMatchObject({ action: 'start', binary: maria });
    // A MySQL data directory and no MySQL left: fetch it (with --install) rather than start MariaDB on it.
    expect(planServer({ install: true }, found({ onPath: { mariadb: maria }, dataFlavor: 'mysql' }))).toEqual({ action: 'install', route: 'fetch-mysql' });
  });

  it('refuses to start one server on the other one’s data directory', () => {
    const plan = planServer({ server: 'mysql', install: false }, found({ cached: cachedMysql, dataFlavor: 'mariadb' }));
    expect(plan).toMatchObject({ action: 'refuse', message: expect.stringContaining('initialised by MariaDB') as unknown });
    expect(plan).toMatchObject({ hint: expect.stringContaining('db start --server mariadb') as unknown });
    expect(
      planServer({ install: false }, found({ explicit: { path: maria.server, binary: maria }, dataFlavor: 'mysql' })),
    ).toMatchObject({ action: 'refuse' });
  });
});
