import { describe, expect, it } from 'vitest';
import { computeStatus, parseDuration } from '../../sync/read-status.js';

const row = (id: number, kind: string, status: string, started: string, finished: string | null, details: object | null) => ({
  id,
  kind,
  status,
  started_at: started,
  finished_at: finished,
  details: details ? JSON.stringify(details) : null,
  error: status === 'failed' ? 'boom' : null,
});

describe('status', () => {
  it('parses durations', () => {
    expect(parseDuration('90s')).toBe(90);
    expect(parseDuration('30m')).toBe(1800);
    expect(parseDuration('2h')).toBe(7200);
    expect(parseDuration('1d')).toBe(86400);
    expect(parseDuration('45')).toBe(45);
    expect(parseDuration('2 weeks')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
  });

  it('takes each table from the newest successful sync that built it, and flags stale reports', () => {
    const rows = [
      row(5, 'sync', 'failed', '2026-01-01 11:00:00', '2026-01-01 11:00:05', null),
      row(4, 'verify', 'failed', '2026-01-01 10:30:00', '2026-01-01 10:30:02', { ok: false }),
      row(3, 'backup', 'succeeded', '2026-01-01 10:20:00', '2026-01-01 10:21:00', { dir: '/b/one' }),
      row(2, 'sync', 'succeeded', '2026-01-01 10:00:00', '2026-01-01 10:00:30', {
        tables: [{ table: 'contacts' }],
        reports: [{ name: 'rpt_a' }],
      }),
      row(1, 'sync', 'succeeded', '2026-01-01 08:00:00', '2026-01-01 08:00:30', {
        tables: [{ table: 'contacts' }, { table: 'users' }],
        reports: [{ name: 'rpt_a' }, { name: 'rpt_b' }],
      }),
    ];
    const now = new Date('2026-01-01T12:00:30Z');
    const s = computeStatus('r', rows, now, 3 * 3600);
    expect(s.tables.find((t) => t.table === 'contacts')).toMatchObject({ refreshedAt: '2026-01-01 10:00:30', ageSeconds: 7200 });
    expect(s.tables.find((t) => t.table === 'rpt_b')).toMatchObject({ ageSeconds: 4 * 3600 });
    expect(s.stale).toEqual(['rpt_b']);
    expect(s.recentSyncs.map((r) => [r.id, r.status, r.seconds])).toEqual([
      [5, 'failed', 5],
      [2, 'succeeded', 30],
      [1, 'succeeded', 30],
    ]);
    expect(s.lastBackup).toMatchObject({ id: 3, dir: '/b/one', verified: false });
    expect(s.lastVerify).toMatchObject({ id: 4, ok: false });
    expect(computeStatus('r', rows, now).stale).toEqual([]);
  });
});
