import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { exitCodeFor } from '../../../src/exit-codes.js';
import { describeLoadLimits, hasLimits, parseDurationSeconds, parseLoadLimits, parseNiceRatio } from '../../../src/guard/throttle-limits.js';

describe('parseLoadLimits', () => {
  it('reads one or more Status_var=N, gh-ost style', () => {
    expect(parseLoadLimits('Threads_running=50', '--max-load')).toEqual([{ name: 'Threads_running', limit: 50 }]);
    const two = parseLoadLimits(' Threads_running = 50 , Threads_connected=400 ', '--max-load');
    expect(two).toEqual([
      { name: 'Threads_running', limit: 50 },
      { name: 'Threads_connected', limit: 400 },
    ]);
    expect(describeLoadLimits(two)).toBe('Threads_running=50,Threads_connected=400');
  });

  it.each([
    ['', 'is empty'],
    ['Threads_running', 'expected Status_var=N'],
    ['Threads_running=', 'expected Status_var=N'],
    ['Threads_running=abc', 'limit "abc"'],
    ['Threads_running=0', 'limit "0"'],
    ['Threads_running=-3', 'limit "-3"'],
    ['Threads_running=1.5', 'limit "1.5"'],
    ["Threads'running=5", 'status variable'],
    ['Threads_running=5,threads_RUNNING=6', 'twice'],
    ['Threads_running=5,,', 'expected Status_var=N'],
  ])('refuses %j with one clear line (exit 2)', (text, words) => {
    let error: unknown;
    try {
      parseLoadLimits(text, '--max-load');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    const e = error as UsageError;
    expect(e.message).toContain('--max-load');
    expect(e.message).toContain(words);
    expect(e.message).not.toContain('\n');
    expect(e.hint).toContain('Threads_running=50');
    expect(exitCodeFor(e)).toBe(2);
  });
});

describe('parseDurationSeconds', () => {
  it.each([
    ['90', 90],
    ['90s', 90],
    ['15m', 900],
    ['1h', 3600],
    ['1.5', 1.5],
  ])('%s is %d s', (text, seconds) => {
    expect(parseDurationSeconds(text, '--max-pause')).toBe(seconds);
  });

  it('takes 0 only where allowed (a --max-lag of 0 tolerates no lag)', () => {
    expect(parseDurationSeconds('0', '--max-lag', true)).toBe(0);
    expect(() => parseDurationSeconds('0', '--max-pause')).toThrow(UsageError);
  });

  it.each(['', 'x', '-1', '5d', '10 minutes', '8d', '700000'])('refuses %j', (text) => {
    expect(() => parseDurationSeconds(text, '--max-pause')).toThrow(/invalid --max-pause/);
  });
});

describe('hasLimits', () => {
  it('is false for nothing, true for any limit', () => {
    expect(hasLimits(undefined)).toBe(false);
    expect(hasLimits({ maxPauseSeconds: 60 })).toBe(false);
    expect(hasLimits({ maxLoad: [{ name: 'Threads_running', limit: 5 }] })).toBe(true);
    expect(hasLimits({ maxLagSeconds: 0 })).toBe(true);
  });
});

describe('parseNiceRatio', () => {
  it('takes a number from 0 to 100; anything else is one clear line, exit 2', () => {
    expect(parseNiceRatio('0', '--nice-ratio')).toBe(0);
    expect(parseNiceRatio('0.5', '--nice-ratio')).toBe(0.5);
    expect(parseNiceRatio('100', '--nice-ratio')).toBe(100);
    for (const bad of ['-1', '101', 'half', '', '1e2', '0x1']) {
      const e = (() => {
        try {
          parseNiceRatio(bad, '--nice-ratio');
        } catch (error) {
          return error;
        }
      })();
      expect(e, bad).toBeInstanceOf(UsageError);
      expect(exitCodeFor(e)).toBe(2);
      expect((e as Error).message).toContain('--nice-ratio');
    }
    expect(hasLimits({ niceRatio: 0.5 })).toBe(true);
    expect(hasLimits({ niceRatio: 0 })).toBe(false);
  });
});
