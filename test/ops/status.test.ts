import { describe, expect, it } from 'vitest';
import { computeStatus, parseDuration } from '../../ops/status.js';

const row = (id: number, kind: string, status: string, started: string, finished: string | null, details: object | null, strategy: string | null = null) => ({
  id,
  kind,
  status,
  strategy,
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
    expect(s.lastBackup).toMatchObject({ id: 3, dir: '/b/one', verified: null, verifiedAt: null });
    expect(s.lastVerify).toMatchObject({ id: 4, ok: false, drift: [] });
    expect(computeStatus('r', rows, now).stale).toEqual([]);
  });

  it('a backup is verified by the newest verify of its folder, after it', () => {
    const backup = row(10, 'backup', 'succeeded', '2026-01-01 01:00:00', '2026-01-01 01:05:00', { dir: '/b/two' });
    const check = (id: number, status: string, dir: string) =>
      row(id, 'backup-verify', status, '2026-01-01 02:00:00', `2026-01-01 02:0${id % 10}:00`, { dir });
    const now = new Date('2026-01-01T03:00:00Z');
    // Only the other folder was verified, or this one before it was written (an older backup with the same path).
    expect(computeStatus('r', [check(12, 'succeeded', '/b/one'), backup, check(9, 'succeeded', '/b/two')], now).lastBackup).toMatchObject({ verified: null });
    expect(computeStatus('r', [check(11, 'succeeded', '/b/two'), backup], now).lastBackup).toMatchObject({
      verified: true,
      verifiedAt: '2026-01-01 02:01:00',
    });
    // A later failed verify undoes the pass.
    expect(computeStatus('r', [check(13, 'failed', '/b/two'), check(11, 'succeeded', '/b/two'), backup], now).lastBackup).toMatchObject({
      verified: false,
      verifiedAt: '2026-01-01 02:03:00',
    });
  });

  it('names the drifting tables of the last verify, and the strategy and duration of each sync', () => {
    const rows = [
      row(3, 'verify', 'failed', '2026-01-01 10:30:00', '2026-01-01 10:30:02', {
        ok: false,
        tables: [
          { table: 'contacts', chunksDiffering: 2, missingMirror: false },
          { table: 'users', chunksDiffering: 0, missingMirror: false },
          { table: 'tags', chunksDiffering: 0, missingMirror: true },
        ],
      }),
      row(2, 'sync', 'running', '2026-01-01 10:20:00', null, null, 'incremental'),
      row(1, 'sync', 'succeeded', '2026-01-01 10:00:00', '2026-01-01 10:01:15.5', { tables: [], reports: [] }, 'swap'),
    ];
    const s = computeStatus('r', rows, new Date('2026-01-01T11:00:00Z'));
    expect(s.lastVerify).toMatchObject({ id: 3, ok: false, drift: ['contacts', 'tags'], seconds: 2 });
    expect(s.recentSyncs.map((r) => [r.id, r.status, r.strategy, r.seconds])).toEqual([
      [2, 'running', 'incremental', null],
      [1, 'succeeded', 'swap', 75.5],
    ]);
  });

  it('reads damaged or foreign details as none instead of failing', () => {
    const bad = (id: number, kind: string, details: string | null) => ({
      ...row(id, kind, 'succeeded', '2026-01-01 10:00:00', '2026-01-01 10:00:01', null),
      details,
    });
    const rows = [
      bad(6, 'verify', '{"tables": "all"}'),
      bad(5, 'backup', 'null'),
      bad(4, 'sync', '{not json'),
      bad(3, 'sync', '[1, 2]'),
      bad(2, 'sync', '{"tables": [null, 7, {"table": 5}, {"table": "users"}], "reports": {"name": "x"}}'),
      bad(1, 'sync', 'null'),
    ];
    const s = computeStatus('r', rows, new Date('2026-01-01T11:00:00Z'), 60);
    expect(s.tables.map((t) => t.table)).toEqual(['users']);
    expect(s.lastBackup).toMatchObject({ id: 5, verified: null });
    expect(s.lastBackup).not.toHaveProperty('dir');
    expect(s.lastVerify).toMatchObject({ ok: true, drift: [] });
    expect(s.stale).toEqual([]);
  });
});
