/**
 * The shipped systemd unit is one systemd accepts: `systemd-analyze verify` reads it with every key
 * known and its ExecStart runnable (pointed at this machine's node, since /usr/local/bin/dualpipe
 * is where a global install puts it, not here), and it keeps the promises the README makes.
 * .ci/run installs systemd-analyze when the machine has none.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';

const UNIT = 'deploy/dualpipe-schedule.service';

describe('deploy/dualpipe-schedule.service', () => {
  it('passes systemd-analyze verify without a warning', () => {
    const text = readFileSync(UNIT, 'utf8');
    const dir = mkdtempSync(join(tmpdir(), 'dualpipe-unit-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const copy = join(dir, 'dualpipe-schedule.service');
    writeFileSync(copy, text.replace('/usr/local/bin/dualpipe', process.execPath));
    const r = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
    expect(r.error, 'systemd-analyze is missing: apt-get install systemd').toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    // verify exits 0 on unknown keys and bad values too, and only says so on stderr.
    expect(r.stderr.split('\n').filter((l) => l.includes(copy))).toEqual([]);
  });

  it('restarts on failure, stops with SIGTERM and time to finish, logs to the journal, keeps secrets out of argv', () => {
    const text = readFileSync(UNIT, 'utf8');
    const setting = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(text)?.[1];
    expect(setting('Restart')).toBe('on-failure');
    expect(setting('KillSignal')).toBe('SIGTERM');
    expect(Number.parseInt(setting('TimeoutStopSec') ?? '0', 10)).toBeGreaterThanOrEqual(1);
    expect(setting('StandardError')).toBe('journal');
    expect(setting('EnvironmentFile')).toBe('/etc/dualpipe/dualpipe.env');
    expect(setting('ExecStart')).toMatch(/ schedule /);
    expect(setting('ExecStart')).not.toMatch(/password|mysql:\/\//i);
  });
});
