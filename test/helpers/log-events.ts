/**
 * The JSON log lines (pino, one object per line) a CLI child writes on stderr, collected as they
 * come, with waits on them: how a test knows that a sync or a backup is under way right now.
 */
import type { ChildProcess } from 'node:child_process';

export interface LogEvent {
  /** Position in the log, for "after this point" waits. */
  index: number;
  msg: string;
  at: number;
  fields: Record<string, unknown>;
}

export interface LogWatch {
  readonly events: LogEvent[];
  /** Lines that were not JSON (kept for failure messages). */
  readonly other: string[];
  /** Resolves with the first event at or after `from` that matches, as soon as it is logged. */
  waitFor(match: (e: LogEvent) => boolean, options?: { from?: number; timeoutMs?: number; what?: string }): Promise<LogEvent>;
  count(match: (e: LogEvent) => boolean, from?: number): number;
  tail(n?: number): string;
}

export function watchLog(child: ChildProcess): LogWatch {
  const events: LogEvent[] = [];
  const other: string[] = [];
  const waiters = new Set<() => void>();
  let partial = '';
  child.stderr!.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        const fields = JSON.parse(line) as Record<string, unknown>;
        events.push({ index: events.length, msg: typeof fields.msg === 'string' ? fields.msg : '', at: Date.now(), fields });
      } catch {
        other.push(line);
      }
    }
    for (const w of [...waiters]) w();
  });
  const tail = (n = 15) => [...events.slice(-n).map((e) => JSON.stringify(e.fields)), ...other.slice(-5)].join('\n');
  return {
    events,
    other,
    tail,
    count: (match, from = 0) => events.slice(from).filter(match).length,
    waitFor(match, options = {}) {
      const from = options.from ?? 0;
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.slice(from).find(match);
          if (!hit) return false;
          cleanup();
          resolve(hit);
          return true;
        };
        const onExit = (code: number | null) => {
          cleanup();
          reject(new Error(`the process exited (${code}) while waiting for ${options.what ?? 'a log line'}:\n${tail()}`));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${options.what ?? 'a log line'}:\n${tail()}`));
        }, options.timeoutMs ?? 30_000);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
          child.off('exit', onExit);
        };
        if (check()) return;
        waiters.add(check);
        child.once('exit', onExit);
      });
    },
  };
}

/** Matches a log message exactly, or by pattern. */
export const msg = (m: string | RegExp) => (e: LogEvent) => (typeof m === 'string' ? e.msg === m : m.test(e.msg));
