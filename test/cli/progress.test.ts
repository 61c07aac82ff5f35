/**
 * Progress: bars on a terminal, plain periodic log lines otherwise (a cron job's log), with an
 * injected clock.
 */
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../cli/io.js';
import { createProgress } from '../../cli/progress.js';
import type { Logger } from '../../src/log/logger.js';

function fakeLogger(): Logger & { lines: { obj: unknown; msg: string | undefined }[] } {
  const lines: { obj: unknown; msg: string | undefined }[] = [];
  const info = (obj: object | string, msg?: string) => void lines.push({ obj, msg });
  return { lines, info, debug() {}, warn: info, error: info };
}

function io(isTTY: boolean): CliIo & { err: string[] } {
  const err: string[] = [];
  const stderr = { isTTY, columns: 120, write: (s: string) => err.push(s) };
  return { err, stdout: { write: () => true }, stderr, env: {}, cwd: '/' };
}

describe('progress without a terminal', () => {
  it('logs the first update, then at most one line per interval, and completion once', () => {
    let t = 1_000_000;
    const log = fakeLogger();
    const p = createProgress(io(false), log, { intervalMs: 5_000, now: () => t });
    p.update('contacts', 0, 1000);
    for (let done = 10; done < 400; done += 10) {
      t += 100; // 3.9 s of updates: none logged
      p.update('contacts', done, 1000);
    }
    t += 1_200; // 5.1 s after the first line
    p.update('contacts', 450, 1000);
    t += 1_000;
    p.update('contacts', 500, 1000);
    p.update('contacts', 1000, 1000);
    p.update('contacts', 1000, 1000);
    p.stop();
    expect(log.lines.map((l) => l.msg)).toEqual([
      'progress contacts: 0/1000 rows (0%)',
      'progress contacts: 450/1000 rows (45%)',
      'progress contacts: 1000/1000 rows (100%)',
    ]);
    expect(log.lines[1]!.obj).toEqual({ item: 'contacts', done: 450, total: 1000, unit: 'rows' });
  });

  it('keeps each item to its own interval, and plain text lines (no bar, nothing on stderr itself)', () => {
    let t = 0;
    const log = fakeLogger();
    const out = io(false);
    const p = createProgress(out, log, { intervalMs: 1_000, now: () => t });
    p.update('users', 1, 10, 'tables');
    p.update('contacts', 1, 10, 'tables');
    t += 500;
    p.update('users', 2, 10, 'tables');
    t += 600;
    p.update('users', 3, 10, 'tables');
    p.update('contacts', 3, 10, 'tables');
    expect(log.lines.map((l) => l.msg)).toEqual([
      'progress users: 1/10 tables (10%)',
      'progress contacts: 1/10 tables (10%)',
      'progress users: 3/10 tables (30%)',
      'progress contacts: 3/10 tables (30%)',
    ]);
    for (const l of log.lines) expect(l.msg).toMatch(/^[ -~]+$/);
    expect(out.err).toEqual([]);
  });

  it('a total that rounds to zero (a small backup counted in MB) is logged once, not at every update', () => {
    const log = fakeLogger();
    const p = createProgress(io(false), log, { now: () => 0 });
    for (let i = 0; i < 50; i++) p.update('backup MB', 0, 0, 'MB');
    expect(log.lines.map((l) => l.msg)).toEqual(['progress backup MB: 0/0 MB']);
  });

  it('uses a 5 s interval by default', () => {
    let t = 0;
    const log = fakeLogger();
    const p = createProgress(io(false), log, { now: () => t });
    p.update('x', 1, 100);
    t = 4_999;
    p.update('x', 2, 100);
    t = 5_000;
    p.update('x', 3, 100);
    expect(log.lines).toHaveLength(2);
  });
});

describe('progress on a terminal', () => {
  it('draws a bar per item on stderr and logs nothing', () => {
    const log = fakeLogger();
    const out = io(true);
    const p = createProgress(out, log, { now: () => 0 });
    p.update('contacts', 50, 200);
    p.update('users', 10, 10);
    p.stop();
    const text = out.err.join('');
    expect(text).toContain('contacts');
    expect(text).toContain('users');
    expect(text).toMatch(/100% \| 10\/10 rows/);
    expect(log.lines).toEqual([]);
  });
});
