/** One time format (issue #14): isoTime and isoTimestamps turn every kind of time dualpipe had into ISO 8601 with Z. */
import { describe, expect, it } from 'vitest';
import { isoTime, isoTimestamps } from '../../../src/log/iso-time.js';

describe('isoTime', () => {
  it('a Date, epoch ms, and zoneless UTC text from the server or history', () => {
    expect(isoTime(new Date(Date.UTC(2026, 11, 1, 0, 3, 9, 123)))).toBe('2026-12-01T00:03:09.123Z');
    expect(isoTime(Date.UTC(2026, 11, 1))).toBe('2026-12-01T00:00:00.000Z');
    expect(isoTime('2026-12-01 00:03:09.123456')).toBe('2026-12-01T00:03:09.123456Z');
    expect(isoTime('2026-12-01 00:03:09')).toBe('2026-12-01T00:03:09Z');
    expect(isoTime('2026-12-01T00:03:09.5')).toBe('2026-12-01T00:03:09.5Z');
  });

  it('leaves text that is no zoneless time alone (a zone already, names, dates)', () => {
    for (const t of ['2026-12-01T00:03:09Z', '2026-12-01T01:03:09+01:00', 'dualpipe-20261201T000309Z', '2026-12-01', 'contacts'])
      expect(isoTime(t)).toBe(t);
  });
});

describe('isoTimestamps', () => {
  it('walks a result: Dates, zoneless text, epoch ms under time keys; counts, durations and row values stay as they are', () => {
    const out = isoTimestamps({
      at: new Date(Date.UTC(2026, 0, 2)),
      runs: [{ startedAt: 1_767_312_000_000, seconds: 12.5, rows: 1_767_312_000_000 }],
      refreshedAt: '2026-01-02 11:50:00',
      lastSyncAt: null,
      name: 'x',
      conflictKeys: [['2026-01-02 11:50:00']],
    });
    expect(out).toEqual({
      at: '2026-01-02T00:00:00.000Z',
      runs: [{ startedAt: '2026-01-02T00:00:00.000Z', seconds: 12.5, rows: 1_767_312_000_000 }],
      refreshedAt: '2026-01-02T11:50:00Z',
      lastSyncAt: null,
      name: 'x',
      conflictKeys: [['2026-01-02 11:50:00']],
    });
  });
});
