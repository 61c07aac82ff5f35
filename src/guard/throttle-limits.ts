/**
 * The throttle's limits as the user writes them (`--max-load Threads_running=50,Threads_connected=400`,
 * `--critical-load …`, `--max-lag 10`, `--max-pause 30m`), parsed into plain values. Pure: the
 * conventions are pt-online-schema-change's and gh-ost's, so a DBA's muscle memory works.
 */
import { UsageError } from '../errors.js';

/** One `Status_var=N` limit: a `SHOW GLOBAL STATUS` variable and the value it must not exceed. */
export interface LoadLimit {
  /** The status variable, as the user wrote it (the server matches it case-insensitively). */
  name: string;
  limit: number;
}

/** Every limit a throttled run honours; an empty object throttles nothing. */
export interface ThrottleLimits {
  /** Over any of these: pause before the next chunk/batch until all are under. */
  maxLoad?: readonly LoadLimit[];
  /** Over any of these: abort the run at once (ThrottleError). */
  criticalLoad?: readonly LoadLimit[];
  /** Replica lag (seconds) over this: pause. A server that is not a replica has no lag. */
  maxLagSeconds?: number;
  /** The longest one pause may last before the run fails (default 30 minutes). */
  maxPauseSeconds?: number;
  /**
   * After each chunk, pause this many times as long as the chunk took (gh-ost's `--nice-ratio`,
   * pt-archiver's `--sleep-coef`): 1 halves the run's load on the server and doubles its time.
   */
  niceRatio?: number;
}

/** How long one pause may last when `maxPauseSeconds` is not given: 30 minutes. */
export const DEFAULT_MAX_PAUSE_SECONDS = 30 * 60;

/** A status variable name: letters, digits, underscores (it goes into SQL as a quoted string). */
const STATUS_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** Parses `Status_var=N[,Status_var=N…]`; `flag` names the option in the one-line error (exit 2). */
export function parseLoadLimits(text: string, flag: string): LoadLimit[] {
  const hint = `write ${flag} Threads_running=50[,Threads_connected=400]: SHOW GLOBAL STATUS variables with whole-number limits`;
  const items = text.split(',').map((s) => s.trim());
  if (items.length === 0 || items.every((s) => s === '')) throw new UsageError(`${flag} is empty`, { hint });
  const limits: LoadLimit[] = [];
  for (const item of items) {
    const m = /^([^=\s]+)\s*=\s*(\S+)$/.exec(item);
    if (!m) throw new UsageError(`invalid ${flag} item "${item}": expected Status_var=N`, { hint });
    const [, name, value] = m as unknown as [string, string, string];
    if (!STATUS_NAME.test(name)) throw new UsageError(`invalid ${flag} status variable "${name}"`, { hint });
    const limit = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(limit) || limit < 1)
      throw new UsageError(`invalid ${flag} limit "${value}" for ${name}: expected a whole number of at least 1`, { hint });
    if (limits.some((l) => l.name.toLowerCase() === name.toLowerCase()))
      throw new UsageError(`${flag} names ${name} twice`, { hint });
    limits.push({ name, limit });
  }
  return limits;
}

const UNIT_SECONDS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600 };

/**
 * Parses a duration in seconds: `90`, `90s`, `15m`, `1h` (`allowZero`: `0` is accepted, e.g. a
 * `--max-lag 0` that tolerates no lag at all).
 */
export function parseDurationSeconds(text: string, flag: string, allowZero = false): number {
  const m = /^(\d+(?:\.\d+)?)\s*([smh]?)$/.exec(text.trim());
  const seconds = m ? Number(m[1]) * UNIT_SECONDS[m[2]!]! : NaN;
  if (!Number.isFinite(seconds) || seconds > 7 * 86_400 || (seconds === 0 ? !allowZero : seconds < 0))
    throw new UsageError(`invalid ${flag} "${text}"`, {
      hint: `use seconds or a duration like 90s, 15m or 1h (at most 7 days${allowZero ? '' : ', more than 0'})`,
    });
  return seconds;
}

/** The limits as text, in the flags' syntax (for logs and `--dry-run`). */
export function describeLoadLimits(limits: readonly LoadLimit[]): string {
  return limits.map((l) => `${l.name}=${l.limit}`).join(',');
}

/** Whether the limits throttle anything at all (no session is opened when not). */
export function hasLimits(limits: ThrottleLimits | undefined): boolean {
  return !!limits && (!!limits.maxLoad?.length || !!limits.criticalLoad?.length || limits.maxLagSeconds !== undefined || (limits.niceRatio ?? 0) > 0);
}

/** Parses a `--nice-ratio`: a number from 0 to 100 (0: no pause). */
export function parseNiceRatio(text: string, flag: string): number {
  const r = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isFinite(r) || r > 100) throw new UsageError(`invalid ${flag} "${text}"`, { hint: 'use a number from 0 to 100: after each chunk, pause that many times as long as the chunk took' });
  return r;
}
