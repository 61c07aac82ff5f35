/**
 * Deployment without dev tools: the packed tarball installs globally into a scratch prefix and
 * runs; a clone installed with `npm ci --omit=dev` uses an existing dist/ and, without one, fails
 * with what to do instead of `tsc: not found`. npm resolves the runtime dependencies from its
 * cache first (`--prefer-offline`): the cache `npm ci` filled holds their tarballs, so the network
 * is only asked for what the cache lacks (npm 11 wants full packuments for a global install).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve('.');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const scratch = mkdtempSync(join(tmpdir(), 'dualpipe-deploy-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(cmd: string, args: string[], cwd: string, timeout = 150_000) {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    timeout,
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' },
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('installing without dev dependencies', () => {
  it('npm pack ships dist/ and installs globally into a scratch prefix with a working dualpipe', () => {
    // dist/ is fresh: the global setup builds it when stale, so the pack need not build again.
    const pack = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], root);
    expect(pack.status, pack.out).toBe(0);
    const files = (JSON.parse(pack.out.slice(pack.out.indexOf('['))) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files).toContain('dist/bin/dualpipe.js');
    expect(files).toContain('deploy/dualpipe-schedule.service');
    expect(files.some((f) => f.startsWith('src/') || f.startsWith('test/'))).toBe(false);
    const tgz = readdirSync(scratch).find((f) => f.endsWith('.tgz'))!;

    const prefix = join(scratch, 'prefix');
    const install = run('npm', ['install', '-g', '--prefer-offline', '--prefix', prefix, join(scratch, tgz)], scratch);
    expect(install.status, install.out).toBe(0);
    const installed = join(prefix, 'lib', 'node_modules', 'dualpipe', 'node_modules');
    expect(existsSync(join(installed, 'mysql2'))).toBe(true);
    for (const dev of ['typescript', 'vitest', 'eslint']) expect(existsSync(join(installed, dev)), dev).toBe(false);

    const version = run(join(prefix, 'bin', 'dualpipe'), ['--version'], scratch, 30_000);
    expect(version.status, version.out).toBe(0);
    expect(version.out.trim()).toBe(pkg.version);
    const help = run(join(prefix, 'bin', 'dualpipe'), ['--help'], scratch, 30_000);
    expect(help.status, help.out).toBe(0);
    expect(help.out).toMatch(/schedule/);
    expect(help.out).toMatch(/--state-dir/);
  });

  it('npm ci --omit=dev in a clone uses an existing dist/, and without one says what to do', () => {
    const clone = join(scratch, 'clone');
    mkdirSync(join(clone, 'scripts'), { recursive: true });
    mkdirSync(join(clone, 'src'));
    for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/prepare.mjs', 'scripts/copy-assets.mjs']) {
      cpSync(join(root, f), join(clone, f));
    }
    const bare = run('npm', ['ci', '--omit=dev', '--prefer-offline'], clone);
    expect(bare.status).not.toBe(0);
    expect(bare.out).toMatch(/dist\/ does not exist and TypeScript is not installed/);
    expect(bare.out).toMatch(/npm ci && npm run build && npm prune --omit=dev/);
    expect(bare.out).not.toMatch(/tsc: not found/);

    cpSync(join(root, 'dist'), join(clone, 'dist'), { recursive: true });
    const withDist = run('npm', ['ci', '--omit=dev', '--prefer-offline'], clone);
    expect(withDist.status, withDist.out).toBe(0);
    expect(existsSync(join(clone, 'node_modules', 'typescript'))).toBe(false);
    const version = run(process.execPath, [join(clone, 'dist', 'bin', 'dualpipe.js'), '--version'], clone, 30_000);
    expect(version.out.trim()).toBe(pkg.version);
  });
});
