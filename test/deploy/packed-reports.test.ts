/**
 * Report folders from an installed package: the packed tarball, extracted beside the clone's
 * node_modules (a symlink: no registry, a few seconds), reads a user's report folder at run time,
 * relative to the working directory, and finds its bundled CRM reports in its own dist/.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve('.');
const scratch = mkdtempSync(join(tmpdir(), 'dualpipe-packed-reports-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, npm_config_update_notifier: 'false', DUALPIPE_LOG_LEVEL: 'silent' } });
  return { status: r.status, stdout: r.stdout, out: `${r.stdout}${r.stderr}` };
}

describe('report files with an installed package', () => {
  it('report new / list read the folder given at run time, not a copy in dist/', () => {
    // dist/ is fresh: the global setup builds it when stale.
    const pack = run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', scratch], root);
    expect(pack.status, pack.out).toBe(0);
    const tgz = readdirSync(scratch).find((f) => f.endsWith('.tgz'))!;
    expect(run('tar', ['xzf', join(scratch, tgz), '-C', scratch], scratch).status).toBe(0);
    const pkg = join(scratch, 'package');
    symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'), 'dir');
    const bin = join(pkg, 'dist', 'bin', 'dualpipe.js');

    const user = join(scratch, 'analyst');
    mkdirSync(join(user, 'reports'), { recursive: true });
    const made = run(process.execPath, [bin, 'report', 'new', 'weekly', '--dir', 'reports'], user);
    expect(made.status, made.out).toBe(0);
    const list = run(process.execPath, [bin, 'report', 'list', '--json', '--reports-dir', 'reports'], user);
    expect(list.status, list.out).toBe(0);
    const listed = JSON.parse(list.stdout) as { ok: boolean; reports: { name: string; folder: string; mirrors: string[] }[] };
    expect(listed.ok).toBe(true);
    expect(listed.reports).toEqual([expect.objectContaining({ name: 'rpt_weekly', folder: join(user, 'reports'), mirrors: ['orders'] })]);

    const withCrm = run(process.execPath, [bin, 'report', 'list', '--json', '--builtin-reports'], user);
    expect(withCrm.status, withCrm.out).toBe(0);
    const crm = (JSON.parse(withCrm.stdout) as { reports: { name: string; folder: string }[] }).reports;
    expect(crm.map((r) => r.name)).toContain('rpt_customer_360');
    expect(crm.every((r) => r.folder === join(pkg, 'dist', 'schema', 'reports'))).toBe(true);
  });
});
