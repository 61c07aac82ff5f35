/**
 * The state directory does not depend on the working directory: an embedded server started from
 * one folder is found by `db status`/`db url` from another, through the XDG default,
 * `--state-dir`, `DUALPIPE_STATE_DIR` and the config key; an old `./.dualpipe/db` still wins where it exists
 * (`./.dualpipe/backups` alone does not).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliCapture } from '../helpers/run-cli-capture.js';
import { ownServerEnv } from '../helpers/test-server-choice.js';

const root = mkdtempSync(join(tmpdir(), 'dp-state-dir-'));
const [a, b, legacy] = ['a', 'b', 'legacy'].map((d) => join(root, d)) as [string, string, string];
for (const d of [a, b, join(legacy, '.dualpipe', 'db'), join(b, '.dualpipe', 'backups')]) mkdirSync(d, { recursive: true });
const xdg = { XDG_STATE_HOME: join(root, 'xdg') };
const stateDir = join(root, 'xdg', 'dualpipe');

interface DbStatus {
  running: boolean;
  pid?: number;
  serverDir: string;
  stateDirFrom: string;
}
const status = async (argv: string[], env: Record<string, string>, cwd: string): Promise<DbStatus> => {
  const r = await runCliCapture([...argv, 'db', 'status', '--json'], env, cwd);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as DbStatus;
};

afterAll(async () => {
  await runCliCapture(['db', 'stop'], xdg, a);
  rmSync(root, { recursive: true, force: true });
});

describe('state directory', () => {
  it('finds the embedded server started from another working directory, and stops it from there', async () => {
    const start = await runCliCapture(['db', 'start', '--json'], { ...ownServerEnv(), ...xdg }, a);
    expect(start.code, start.stderr).toBe(0);
    const { pid } = JSON.parse(start.stdout) as { pid: number };

    const other = { XDG_STATE_HOME: join(root, 'elsewhere') };
    expect(await status([], xdg, b)).toMatchObject({ running: true, pid, serverDir: join(stateDir, 'db'), stateDirFrom: 'xdg' });
    expect(await status(['--state-dir', stateDir], other, b)).toMatchObject({ running: true, pid, stateDirFrom: 'flag' });
    expect(await status([], { ...other, DUALPIPE_STATE_DIR: stateDir }, '/')).toMatchObject({ running: true, pid, stateDirFrom: 'env' });
    const config = join(root, 'etc', 'dualpipe.config.json');
    mkdirSync(join(root, 'etc'));
    writeFileSync(config, JSON.stringify({ stateDir: '../xdg/dualpipe' })); // relative to the config file
    expect(await status(['--config', config], other, b)).toMatchObject({ running: true, pid, stateDirFrom: 'config' });
    expect(await status([], other, b)).toMatchObject({ running: false, serverDir: join(root, 'elsewhere', 'dualpipe', 'db') });

    // Commands without --source use the server found there.
    const url = await runCliCapture(['db', 'url'], xdg, b);
    expect(url.stdout.trim()).toBe(`${(JSON.parse(start.stdout) as { url: string }).url}`);

    // A folder that has an old ./.dualpipe keeps using it (backwards compatible).
    expect(await status([], xdg, legacy)).toMatchObject({ running: false, serverDir: join(legacy, '.dualpipe', 'db'), stateDirFrom: 'cwd' });
    const human = await runCliCapture(['db', 'status'], xdg, legacy);
    expect(human.stdout).toMatch(/not running in .*legacy\/\.dualpipe\/db .*--state-dir/);

    const stop = await runCliCapture(['db', 'stop'], xdg, b);
    expect(stop.stdout).toMatch(/embedded server stopped/);
    expect(await status([], xdg, a)).toMatchObject({ running: false });
  });
});
