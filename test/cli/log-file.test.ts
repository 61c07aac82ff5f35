/**
 * `--log-file`: JSON lines appended to a file instead of stderr, the final error line included,
 * and reopened on SIGHUP so logrotate can rename the file under a running `schedule`.
 */
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runCliCapture } from '../helpers/run-cli-capture.js';
import { spawnCli } from '../helpers/spawn-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dp-log-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : '');
const lines = (f: string) => read(f).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: number; msg: string; exitCode?: number });

async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('--log-file', () => {
  it('appends the failure to the file while stderr keeps the one line', async () => {
    const file = join(dir, 'cron.log');
    for (let i = 0; i < 2; i++) {
      const r = await runCliCapture(['--log-file', file, '--log-level', 'info', '--source', 'mysql://root@127.0.0.1:1/crm', 'sync'], {}, dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/127\.0\.0\.1:1/);
    }
    const logged = lines(file);
    expect(logged.filter((l) => l.exitCode === 1 && /127\.0\.0\.1:1/.test(l.msg))).toHaveLength(2); // appended, not overwritten
  });

  it.each([join(dir, 'missing', 'x.log'), '/proc/nope/x.log'])('refuses %s (no such folder) with exit 2 and one line', async (path) => {
    const started = Date.now();
    const r = await runCliCapture(['--log-file', path, '--source', 'mysql://root@127.0.0.1:1/crm', 'sync'], {}, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path}: cannot open the log file (ENOENT)`);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('schedule reopens the file on SIGHUP after logrotate renamed it, and stops on SIGTERM', async () => {
    const file = join(dir, 'schedule.log');
    const url = `${inject('testServerUrl').replace(/\/$/, '')}/t_logfile`;
    // A cron that never fires in the test: only the scheduler's own lines are logged.
    const child = spawnCli(['--log-file', file, 'schedule', '--sync-cron', '0 0 1 1 *', '--source', url]);
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    await until(() => /scheduler started/.test(read(file)), 'scheduler started in the log file');
    renameSync(file, `${file}.1`);
    child.kill('SIGHUP');
    await until(() => existsSync(file), 'the reopened log file');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(read(`${file}.1`)).toMatch(/scheduler started/);
    expect(read(file)).toMatch(/stopping/);
    expect(read(file)).not.toMatch(/scheduler started/);
    expect(child.stderrText()).toBe(''); // the logs went to the file
  });
});
