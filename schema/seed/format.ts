/**
 * The fixed timeline of the sample data (2020-01-01 to 2025-12-31 UTC, so a seed gives the same
 * timestamps whenever it runs) and the printing of dates and money for LOAD DATA. Times are whole
 * microseconds since the Unix epoch, which a double holds exactly.
 */

/** Microseconds in a day, the unit of every time on the timeline. */
export const MICROS_PER_DAY = 86_400_000_000;
/** 2020-01-01 00:00:00 UTC. */
export const TIMELINE_START = Date.UTC(2020, 0, 1) * 1000;
/** 2025-12-31 00:00:00 UTC. */
export const TIMELINE_END = Date.UTC(2025, 11, 31) * 1000;

const pad3 = (n: number) => String(n).padStart(3, '0');

/** `YYYY-MM-DD HH:MM:SS.ffffff` for a DATETIME(6) column. */
export function formatDateTime(micros: number): string {
  const whole = Math.floor(micros);
  const iso = new Date(Math.floor(whole / 1000)).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}${pad3(whole % 1000)}`;
}

/** `YYYY-MM-DD` for a DATE column. */
export function formatDate(micros: number): string {
  return new Date(Math.floor(micros / 1000)).toISOString().slice(0, 10);
}

/** Whole cents as a DECIMAL literal: 123456 → "1234.56". */
export function formatCents(cents: number): string {
  const c = Math.round(cents);
  const sign = c < 0 ? '-' : '';
  const abs = Math.abs(c);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
