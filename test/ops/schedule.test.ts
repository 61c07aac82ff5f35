import { describe, expect, it } from 'vitest';
import { LockBusyError, UsageError } from '../../src/errors.js';
import { startScheduler, validateJobs } from '../../ops/schedule.js';
import { runCliCapture } from '../helpers/run-cli-capture.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('scheduler', () => {
  it('refuses bad cron expressions and an empty schedule', () => {
    expect(() => validateJobs([{ name: 'sync', cron: '61 * * * *' }])).toThrow(
      /invalid cron expression for sync: "61 \* \* \* \*"/,
    );
    expect(() => validateJobs([{ name: 'sync', cron: 'every minute' }])).toThrow(UsageError);
    expect(() => validateJobs([])).toThrow(/nothing to schedule/);
    expect(() => validateJobs([{ name: 'sync', cron: '*/15 * * * *' }])).not.toThrow();
  });

  it('never overlaps a job with itself, counts busy locks as skipped, and stop() waits for the run', async () => {
    let active = 0;
    let maxActive = 0;
    let calls = 0;
    let aborted = false;
    const handle = startScheduler([
      {
        name: 'slow',
        cron: '* * * * * *',
        run: async (signal) => {
          calls++;
          active++;
          maxActive = Math.max(maxActive, active);
          for (let i = 0; i < 100 && !signal.aborted; i++) await sleep(100);
          aborted ||= signal.aborted;
          active--;
        },
      },
      {
        name: 'busy',
        cron: '* * * * * *',
        run: () => Promise.reject(new LockBusyError('dualpipe:sync:x')),
      },
    ]);
    await sleep(3500);
    await handle.stop();
    expect(active).toBe(0);
    expect(maxActive).toBe(1);
    // It fired every second, but the one long run kept the others from starting.
    expect(calls).toBe(1);
    expect(handle.stats.skipped).toBeGreaterThanOrEqual(2);
    expect(aborted).toBe(true);
  });

  it('the CLI refuses a bad cron expression at start-up with exit 2', async () => {
    const r = await runCliCapture([
      'schedule',
      '--sync-cron',
      '99 * * * *',
      '--source',
      'mysql://root@127.0.0.1:1/crm',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid cron expression for sync/);
  });
});
