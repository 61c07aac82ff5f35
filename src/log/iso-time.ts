/**
 * One time format for everything dualpipe prints or logs: ISO 8601 in UTC with the zone, e.g.
 * `2026-12-01T00:03:09.123Z` (issue #14, "One JSON contract"). The run history and the server
 * hand back `DATETIME` text without a zone ('2026-12-01 00:03:09.123456'); every session runs with
 * time_zone '+00:00' (src/db/sessions.ts), so that text is UTC and gets its `Z` here.
 */

/** `YYYY-MM-DD HH:MM:SS[.ffffff]` or `YYYY-MM-DDTHH:MM:SS[.fff]` without a zone: a UTC time from the server or history. */
const ZONELESS = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)$/;

/** Keys whose numbers are epoch milliseconds (`startedAt`, `lastSyncAt`, `at`...), not counts or durations. */
const TIME_KEY = /(?:^at|At|^now|^time)$/;

/** After 2001-09-09 in ms: a number this big under a time key is a time, not a count of seconds. */
const EPOCH_MS_MIN = 1e12;

/** A time as ISO 8601 with the zone: a Date, epoch milliseconds, or zoneless UTC text; other text unchanged. */
export function isoTime(value: Date | number | string): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (typeof value === 'number') return new Date(value).toISOString();
  const m = ZONELESS.exec(value);
  return m ? `${m[1]}T${m[2]}Z` : value;
}

/**
 * A copy of `value` ready for JSON: every Date, and zoneless time text or epoch-ms numbers under a
 * time key (`…At`, `at`, `now`, `time`), becomes `isoTime`'s text. Plain data only (results of commands); class instances other
 * than Date are walked as plain objects, as JSON.stringify would.
 */
export function isoTimestamps(value: unknown, key = ''): unknown {
  if (value instanceof Date) return isoTime(value);
  // Text and numbers only under a time key: a row's key value in a result (a merge conflict, a
  // drift sample) may be DATETIME text or a big number, and is data, not a time of dualpipe's.
  if (typeof value === 'string') return TIME_KEY.test(key) ? isoTime(value) : value;
  if (typeof value === 'number') return TIME_KEY.test(key) && Number.isInteger(value) && value >= EPOCH_MS_MIN ? isoTime(value) : value;
  if (Array.isArray(value)) return value.map((v) => isoTimestamps(v));
  if (value !== null && typeof value === 'object') {
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return isoTimestamps((value as { toJSON(): unknown }).toJSON(), key);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = isoTimestamps(v, k);
    return out;
  }
  return value;
}
