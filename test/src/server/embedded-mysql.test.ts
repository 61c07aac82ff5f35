/**
 * `dualpipe db start --server mysql` on this machine: Oracle MySQL from the fetch script's cache
 * (~/.cache/dualpipe-mysql, filled by `npm run get-mysql`), seen by `db status`, stopped by `db stop`;
 * and the one line `db start --server mysql` prints when there is no MySQL to start.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../../src/db/mysql-driver.js';
import { startEmbeddedServer } from '../../../src/server/embedded-server.js';
import { cachedMysqld, mysqlCacheDir } from '../../../src/server/fetch-mysql.js';
import { isServerProcess } from '../../../src/server/server-state.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';

const cwd = mkdtempSync(join(tmpdir(), 'dp-embedded-mysql-'));

afterAll(async () => {
  await runCliCapture(['db', 'stop'], {}, cwd);
  rmSync(cwd, { recursive: true, force: true });
});

describe('db start --server mysql', () => {
  it('without a MySQL binary and without --install says in one line what to run, and starts nothing', async () => {
    const empty = join(cwd, 'empty');
    mkdirSync(empty);
    const dir = join(cwd, 'nomysql');
    await expect(startEmbeddedServer({ dir, server: 'mysql', searchDirs: [empty], mysqlCacheDir: join(empty, 'cache') })).rejects.toThrow(
      /^no MySQL server binary found: run `dualpipe db start --install --server mysql` to fetch Oracle MySQL into \S+\/empty\/cache$/,
    );
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });

  it('starts MySQL from the fetched cache, db status names it, db stop stops it', { timeout: 240_000 }, async () => {
    const mysqld = cachedMysqld(mysqlCacheDir());
    expect(existsSync(mysqld), `${mysqld} is missing: run \`npm run get-mysql\``).toBe(true);

    const start = await runCliCapture(['db', 'start', '--server', 'mysql', '--json'], {}, cwd);
    expect(start.code, start.stderr).toBe(0);
    const state = JSON.parse(start.stdout) as { pid: number; port: number; flavor: string; version: string; binary: string; dataDir: string };
    expect(state).toMatchObject({ running: true, reused: false, flavor: 'mysql', binary: mysqld });
    expect(state.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(state.version).not.toMatch(/MariaDB/i);

    // It is MySQL that answers (MariaDB's VERSION() says -MariaDB; MySQL has no Aria engine).
    const conn = await createConnector({ host: '127.0.0.1', port: state.port, user: 'root' }).connect({ database: null });
    const [row] = await conn.query<{ v: string; aria: number | string }>(
      "SELECT VERSION() AS v, (SELECT COUNT(*) FROM information_schema.ENGINES WHERE ENGINE = 'Aria') AS aria",
    );
    await conn.close();
    expect(row?.v).toBe(state.version);
    expect(Number(row?.aria)).toBe(0);

    const status = await runCliCapture(['db', 'status', '--json'], {}, cwd);
    expect(JSON.parse(status.stdout)).toMatchObject({ running: true, flavor: 'mysql', version: state.version, pid: state.pid });
    const text = await runCliCapture(['db', 'status'], {}, cwd);
    expect(text.stdout).toMatch(new RegExp(`^running: mysql ${state.version.replace(/[.+]/g, '\\$&')} `));

    // Asking for the other server while MySQL runs, or on its data directory, is refused.
    const other = await runCliCapture(['db', 'start', '--server', 'mariadb'], {}, cwd);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/already running .* is mysql, not mariadb/);

    const stop = await runCliCapture(['db', 'stop'], {}, cwd);
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toMatch(/stopped/);
    expect(isServerProcess(state.pid, state.dataDir)).toBe(false);
    expect(JSON.parse((await runCliCapture(['db', 'status', '--json'], {}, cwd)).stdout)).toMatchObject({ running: false });

    const onMysqlData = await runCliCapture(['db', 'start', '--server', 'mariadb'], {}, cwd);
    expect(onMysqlData.code).toBe(1);
    expect(onMysqlData.stderr).toMatch(/initialised by MySQL and MariaDB cannot open it/);
  });
});
