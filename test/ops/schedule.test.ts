/**
 * The scheduler on fake time: a fake cron timer fired by hand, and node-cron itself under vitest's
 * fake clock. No test sleeps on the real clock.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LockBusyError, UsageError } from '../../src/errors.js';
import { type CronTimer, IDLE, type ScheduledJob, startScheduler, validateJobs } from '../../ops/schedule.js';
import { runCliCapture } from '../helpers/run-cli-capture.js';

/** A cron timer fired by hand: `fire(name)` is one firing of that job's expression. */
class HandTimer implements CronTimer {
  readonly schedules = new Map<string, { expression: string; timezone: string | undefined; fire: () => void }>();
  readonly stopped: string[] = [];
  schedule(expression: string, fire: () => void, options: { name: string; timezone?: string }) {
    this.schedules.set(options.name, { expression, timezone: options.timezone, fire });
    return {
      stop: () => {
        this.stopped.push(options.name);
        this.schedules.delete(options.name);
        return Promise.resolve();
      },
    };
  }
  fire(name: string): void {
    this.schedules.get(name)?.fire();
  }
}

/** Lets every settled promise's callbacks run. */
const settle = () => new Promise<void>((r) => setImmediate(r));

/** A job whose runs last until released or aborted, counting how many ran and how many at once. */
function slowJob() {
  const state = { calls: 0, active: 0, maxActive: 0, aborted: false, release: () => {} };
  const job: ScheduledJob = {
    name: 'slow',
    cron: '* * * * * *',
    run: (signal) => {
      state.calls++;
      state.active++;
      state.maxActive = Math.max(state.maxActive, state.active);
      return new Promise<void>((resolve) => {
        let ended = false;
        const end = () => {
          if (ended) return;
          ended = true;
          state.aborted ||= signal.aborted;
          state.active--;
          resolve();
        };
        state.release = end;
        signal.addEventListener('abort', end, { once: true });
      });
    },
  };
  return { job, state };
}

const busyJob: ScheduledJob = { name: 'busy', cron: '* * * * * *', run: () => Promise.reject(new LockBusyError('dualpipe:sync:x')) };

describe('scheduler', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('refuses bad cron expressions and an empty schedule', () => {
    expect(() => validateJobs([{ name: 'sync', cron: '61 * * * *' }])).toThrow(/invalid cron expression for sync: "61 \* \* \* \*"/);
    expect(() => validateJobs([{ name: 'sync', cron: 'every minute' }])).toThrow(UsageError);
    expect(() => validateJobs([])).toThrow(/nothing to schedule/);
    expect(() => validateJobs([{ name: 'sync', cron: '*/15 * * * *' }])).not.toThrow();
  });

  it('never overlaps a job with itself, counts busy locks as skipped, and stop() aborts and waits for the run', async () => {
    const timer = new HandTimer();
    const slow = slowJob();
    const handle = startScheduler([slow.job, busyJob], { timer, timezone: 'Europe/Berlin' });
    expect(timer.schedules.get('slow')).toMatchObject({ expression: '* * * * * *', timezone: 'Europe/Berlin' });
    for (let second = 0; second < 3; second++) {
      timer.fire('slow');
      timer.fire('busy');
      await settle();
    }
    // Fired three times, but the one long run kept the others from starting.
    expect(slow.state).toMatchObject({ calls: 1, active: 1, maxActive: 1 });
    expect(handle.stats).toEqual({ runs: 0, failures: 0, skipped: 3, idle: 0 });
    await handle.stop();
    expect(slow.state).toMatchObject({ active: 0, aborted: true });
    expect(timer.stopped.sort()).toEqual(['busy', 'slow']);
    expect(handle.stats.runs).toBe(1);
  });

  it('starts the next run at the first firing after a run ends, and counts failures', async () => {
    const timer = new HandTimer();
    const slow = slowJob();
    const failing: ScheduledJob = { name: 'failing', cron: '0 * * * *', run: () => Promise.reject(new Error('boom')) };
    const handle = startScheduler([slow.job, failing], { timer });
    timer.fire('slow');
    timer.fire('slow');
    await settle();
    expect(slow.state.calls).toBe(1);
    slow.state.release();
    await handle.idle();
    expect(handle.stats.runs).toBe(1);
    timer.fire('slow');
    await settle();
    expect(slow.state).toMatchObject({ calls: 2, maxActive: 1 });
    timer.fire('failing');
    await settle();
    expect(handle.stats.failures).toBe(1);
    await handle.stop();
    expect(slow.state).toMatchObject({ active: 0, aborted: true });
    // Once stopped, nothing fires.
    timer.fire('slow');
    await settle();
    expect(slow.state.calls).toBe(2);
  });

  it('tells onJobEnd of each run\'s end (succeeded, failed, skipped); a throwing callback changes nothing', async () => {
    const timer = new HandTimer();
    const ends: { job: string; outcome: string; error?: string; took: number }[] = [];
    const ok: ScheduledJob = { name: 'ok', cron: '* * * * *', run: () => Promise.resolve() };
    const failing: ScheduledJob = { name: 'failing', cron: '* * * * *', run: () => Promise.reject(new Error('boom')) };
    const handle = startScheduler([ok, failing, busyJob], {
      timer,
      onJobEnd: (e) => {
        ends.push({ job: e.job, outcome: e.outcome, ...(e.error ? { error: e.error } : {}), took: e.endedAt - e.startedAt });
        throw new Error('a broken metrics listener');
      },
    });
    for (const name of ['ok', 'failing', 'busy']) timer.fire(name);
    await handle.idle();
    expect(ends.map(({ took: _took, ...e }) => e).sort((a, b) => a.job.localeCompare(b.job))).toEqual([
      { job: 'busy', outcome: 'skipped' },
      { job: 'failing', outcome: 'failed', error: 'boom' },
      { job: 'ok', outcome: 'succeeded' },
    ]);
    expect(ends.every((e) => e.took >= 0)).toBe(true);
    expect(handle.stats).toEqual({ runs: 1, failures: 1, skipped: 1, idle: 0 });
    await handle.stop();
  });

  it('with node-cron on a fake clock: fires every second, without overlap, until stopped', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00.500Z') });
    const slow = slowJob();
    let ticks = 0;
    const counter: ScheduledJob = { name: 'counter', cron: '* * * * * *', run: () => Promise.resolve(ticks++) };
    const handle = startScheduler([slow.job, busyJob, counter]);
    await vi.advanceTimersByTimeAsync(3_300);
    // 00:00:01, :02 and :03 came; the slow run started at the first and holds on.
    expect(ticks).toBe(3);
    expect(slow.state).toMatchObject({ calls: 1, maxActive: 1 });
    expect(handle.stats.skipped).toBe(3);
    await handle.stop();
    expect(slow.state).toMatchObject({ active: 0, aborted: true });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(ticks).toBe(3);
  });

  it('@every Ns fires on an interval; an IDLE run counts as idle, not as a run; under 1s is refused', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00.000Z') });
    let calls = 0;
    const ends: string[] = [];
    const job: ScheduledJob = { name: 'follow', cron: '@every 2s', run: () => Promise.resolve(++calls % 3 === 0 ? 'ran' : IDLE) };
    const handle = startScheduler([job], { onJobEnd: (e) => ends.push(e.outcome) });
    await vi.advanceTimersByTimeAsync(12_500);
    expect(calls).toBe(6);
    expect(handle.stats).toMatchObject({ runs: 2, idle: 4, failures: 0 });
    expect(ends).toEqual(['succeeded', 'succeeded']);
    await handle.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toBe(6);
    expect(() => validateJobs([{ name: 'follow', cron: '@every 0.5s' }])).toThrow(/too short/);
    expect(() => validateJobs([{ name: 'follow', cron: '@every 5s' }])).not.toThrow();
  });

  it('the CLI refuses a bad cron expression at start-up with exit 2', async () => {
    const r = await runCliCapture(['schedule', '--sync-cron', '99 * * * *', '--source', 'mysql://root@127.0.0.1:1/crm']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid cron expression for sync/);
  });
});
