/** The watchdog's timing and the bounds' parsing, with a fake clock and fake probes (no server needed). */
import { describe, expect, it } from 'vitest';
import { StallError, UsageError } from '../../../src/errors.js';
import { parseRunDuration } from '../../../src/guard/duration.js';
import { resolveRunLimits } from '../../../src/guard/run-limits.js';
import { RunWatch } from '../../../src/guard/run-watch.js';
import type { ProbeVerdict } from '../../../src/guard/probe-server.js';
import { onRunEvent, type RunEvent } from '../../../src/log/run-events.js';

describe('parseRunDuration', () => {
  it('reads seconds and units, and refuses anything else', () => {
    expect(parseRunDuration('90')).toBe(90);
    expect(parseRunDuration('90s')).toBe(90);
    expect(parseRunDuration('5m')).toBe(300);
    expect(parseRunDuration('1h30m')).toBe(5400);
    expect(parseRunDuration('250ms')).toBe(0.25);
    expect(parseRunDuration(0)).toBe(0);
    for (const bad of ['', 'abc', '5 x', '-3', '5m junk']) expect(() => parseRunDuration(bad, '--stall-timeout')).toThrow(UsageError);
  });

  it('resolves flag > env > config > default', () => {
    expect(resolveRunLimits({ flags: {}, env: {}, file: undefined })).toEqual({ stallTimeoutMs: 300_000, maxRuntimeMs: 0, connectTimeoutMs: 10_000 });
    expect(resolveRunLimits({ flags: { stallTimeout: '3s' }, env: { DUALPIPE_STALL_TIMEOUT: '9s' }, file: { stallTimeout: 20 } }).stallTimeoutMs).toBe(3000);
    expect(resolveRunLimits({ flags: {}, env: { DUALPIPE_MAX_RUNTIME: '2h' }, file: { maxRuntime: '1h' } }).maxRuntimeMs).toBe(7_200_000);
    expect(resolveRunLimits({ flags: {}, env: {}, file: { connectTimeout: 4, maxRuntime: '1h' } })).toMatchObject({ connectTimeoutMs: 4000, maxRuntimeMs: 3_600_000 });
    expect(() => resolveRunLimits({ flags: { connectTimeout: '0' }, env: {}, file: undefined })).toThrow(UsageError);
  });
});

function fakeWatch(options: { stallTimeoutMs?: number; maxRuntimeMs?: number } = {}) {
  let now = 1_000_000;
  const watch = new RunWatch({ stallTimeoutMs: 3000, ...options, kind: 'sync', now: () => now, tickMs: 0 });
  const probes: number[] = [];
  let verdict: ProbeVerdict = 'frozen';
  const destroyed: string[] = [];
  watch.addSession({ destroy: () => destroyed.push('a') });
  const begin = (sql = 'INSERT INTO `r`.`t` SELECT * FROM `s`.`t`') =>
    watch.begin({ label: 'root@127.0.0.1:3306/crm', threadId: 42, sql, probe: (id) => (probes.push(id), Promise.resolve(verdict)) });
  return {
    watch,
    begin,
    probes,
    destroyed,
    advance: (ms: number) => (now += ms),
    answer: (v: ProbeVerdict) => (verdict = v),
  };
}

describe('RunWatch', () => {
  it('never probes while rows arrive or nothing is in flight', async () => {
    const f = fakeWatch();
    f.advance(10_000);
    await f.watch.tick();
    const op = f.begin();
    for (let i = 0; i < 10; i++) {
      f.advance(2000);
      op.progress();
      await f.watch.tick();
    }
    op.end();
    f.advance(10_000);
    await f.watch.tick();
    expect(f.probes).toEqual([]);
    expect(f.watch.failure).toBeUndefined();
  });

  it('keeps waiting on a silent statement while the server answers, and stops the run when it does not', async () => {
    const events: RunEvent[] = [];
    const off = onRunEvent((e) => events.push(e));
    const f = fakeWatch();
    f.watch.phase('copying crm.contacts');
    f.begin();
    f.advance(2999);
    await f.watch.tick();
    expect(f.probes).toEqual([]);
    f.answer('busy');
    f.advance(1);
    await f.watch.tick();
    expect(f.probes).toEqual([42]);
    expect(f.watch.failure).toBeUndefined();
    // The busy answer counts as progress: the next probe comes one stall timeout later.
    f.advance(1000);
    await f.watch.tick();
    expect(f.probes).toHaveLength(1);
    f.answer('frozen');
    f.advance(2000);
    await f.watch.tick();
    off();
    expect(f.watch.failure).toBeInstanceOf(StallError);
    expect(f.watch.failure!.message).toBe(
      'no progress for 3 s while copying crm.contacts on root@127.0.0.1:3306/crm (the server did not answer a probe); the run was stopped and its sessions closed, which frees its lock',
    );
    expect(f.destroyed).toEqual(['a']);
    expect(events).toContainEqual({ type: 'run-stalled', kind: 'sync', cause: 'stall', phase: 'copying crm.contacts' });
    await expect(f.watch.tripped).rejects.toBe(f.watch.failure);
    expect(() => f.begin()).toThrow(StallError);
  });

  it('names the statement when no phase was noted, and a session gone on the server', async () => {
    const f = fakeWatch();
    f.answer('gone');
    f.begin('DELETE FROM `crm_report`.`contacts` WHERE id = 1');
    f.advance(3000);
    await f.watch.tick();
    expect(f.watch.failure!.message).toMatch(/while running "DELETE FROM `crm_report`\.`contacts` WHERE id = 1" on .* \(its session 42 is gone on the server\)/);
  });

  it('does not stop a run whose silent statement ended, or moved on, while the probe asked (regression: CI on a loaded machine)', async () => {
    const f = fakeWatch();
    let op = f.begin();
    // The probe answers "gone" because the statement ended and its session closed meanwhile.
    f.answer('gone');
    f.advance(3000);
    const probe = f.watch.tick();
    op.end();
    await probe;
    expect(f.probes).toEqual([42]);
    expect(f.watch.failure).toBeUndefined();
    // Rows arrived during the probe: not a stall either.
    op = f.begin();
    f.advance(3000);
    const second = f.watch.tick();
    op.progress();
    await second;
    expect(f.watch.failure).toBeUndefined();
    // Still silent and still gone after the probe: the run stops.
    f.advance(3000);
    await f.watch.tick();
    expect(f.watch.failure!.message).toMatch(/its session 42 is gone on the server/);
  });

  it('stops a run over its maximum runtime without a probe, and 0 disables the stall timeout', async () => {
    const f = fakeWatch({ stallTimeoutMs: 0, maxRuntimeMs: 60_000 });
    f.begin();
    f.advance(59_999);
    await f.watch.tick();
    expect(f.watch.failure).toBeUndefined();
    f.advance(1);
    await f.watch.tick();
    expect(f.probes).toEqual([]);
    expect(f.watch.failure?.reason).toBe('max-runtime');
    expect(f.watch.failure!.message).toMatch(/^the run went over its maximum runtime of 60 s while running "INSERT INTO/);
  });
});
