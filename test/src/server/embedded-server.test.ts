/**
 * `dualpipe db start|status|url|stop` on a real mariadbd/mysqld in a temporary folder, and the
 * commands that use the embedded server by default.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findServerBinary } from '../../../src/server/find-server-binary.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';
import { ownServerEnv } from '../../helpers/test-server-choice.js';

const cwd = mkdtempSync(join(tmpdir(), 'dp-embedded-'));

/** The migrations listed by `migrate --status --json`. */
const migrations = (stdout: string) => (JSON.parse(stdout) as { migrations: { applied: boolean }[] }).migrations;

afterAll(async () => {
  await runCliCapture(['db', 'stop'], {}, cwd);
  rmSync(cwd, { recursive: true, force: true });
});

describe('embedded server', () => {
  it('finds a server binary on this machine, and nothing in an empty search path', () => {
    expect(findServerBinary()?.server).toMatch(/mariadbd|mysqld/);
    expect(findServerBinary({ dirs: ['/nonexistent'] })).toBeUndefined();
  });

  it('starts, reports its status and URL, serves the default commands, and stops', async () => {
    const stopped = await runCliCapture(['db', 'status', '--json'], {}, cwd);
    expect(JSON.parse(stopped.stdout)).toMatchObject({ running: false });

    const start = await runCliCapture(['db', 'start', '--json'], ownServerEnv(), cwd);
    expect(start.code, start.stderr).toBe(0);
    const state = JSON.parse(start.stdout) as { pid: number; port: number };
    expect(state).toMatchObject({ running: true, reused: false });
    // No ./.dualpipe here: the state lives under $XDG_STATE_HOME/dualpipe (run-cli-capture sets it).
    expect(existsSync(join(cwd, '.local-state/dualpipe/db/data'))).toBe(true);

    const again = await runCliCapture(['db', 'start', '--json'], ownServerEnv(), cwd);
    expect(JSON.parse(again.stdout)).toMatchObject({ reused: true, pid: state.pid });

    const url = await runCliCapture(['db', 'url'], {}, cwd);
    expect(url.stdout.trim()).toBe(`mysql://root@127.0.0.1:${state.port}/crm`);

    // With no --source, commands use the embedded server and schema crm.
    const migrate = await runCliCapture(['migrate', '--json'], {}, cwd);
    expect(migrate.code, migrate.stderr).toBe(0);
    expect((JSON.parse(migrate.stdout) as { schema: string }).schema).toBe('crm');
    const status = await runCliCapture(['migrate', '--status', '--json'], {}, cwd);
    expect(migrations(status.stdout).every((m) => m.applied)).toBe(true);

    const stop = await runCliCapture(['db', 'stop'], {}, cwd);
    expect(stop.stdout).toMatch(/stopped/);
    const after = await runCliCapture(['db', 'status', '--json'], {}, cwd);
    expect(JSON.parse(after.stdout)).toMatchObject({ running: false });
    const url2 = await runCliCapture(['db', 'url'], {}, cwd);
    expect(url2.code).toBe(2);

    // The data directory survives a restart.
    const restart = await runCliCapture(['db', 'start', '--json'], ownServerEnv(), cwd);
    expect(restart.code).toBe(0);
    const status2 = await runCliCapture(['migrate', '--status', '--json'], {}, cwd);
    expect(migrations(status2.stdout).length).toBeGreaterThan(0);
    expect(migrations(status2.stdout).every((m) => m.applied)).toBe(true);
  });
});
