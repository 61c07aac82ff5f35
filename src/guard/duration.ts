/** Durations as people type them in flags and config: `90`, `90s`, `5m`, `2h`, `1h30m`. */
import { UsageError } from '../errors.js';

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Seconds in `text`: a bare number is seconds; otherwise number+unit parts (ms, s, m, h, d), e.g.
 * `1h30m`. Throws a UsageError naming `what` (the flag or config key) on anything else.
 */
export function parseRunDuration(text: string | number, what = 'duration'): number {
  if (typeof text === 'number') {
    if (!Number.isFinite(text) || text < 0) throw new UsageError(`invalid ${what} ${text}`, { hint: 'use seconds (0 or more), or e.g. 90s, 5m, 2h' });
    return text;
  }
  const t = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const parts = [...t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== t)
    throw new UsageError(`invalid ${what} "${text}"`, { hint: 'use seconds, or a number with a unit: 90s, 5m, 2h, 1h30m' });
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_SECONDS[p[2]!]!, 0);
}

/** `120 s`, `1.5 s`: the duration in seconds as the watchdog's messages print it. */
export function formatSeconds(seconds: number): string {
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}
