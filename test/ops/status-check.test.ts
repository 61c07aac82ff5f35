import { describe, expect, it } from 'vitest';
import { computeStatus, type HistoryRow, parseDuration } from '../../ops/status.js';
import { DEFAULT_CHECK_THRESHOLDS, decideCheck, parseAgeThreshold, singleVerdict } from '../../ops/status-check.js';

const row = (id: number, kind: string, status: string, finished: string | null, details: object | null = null, extra: Partial<HistoryRow> = {}): HistoryRow => ({
  id,
  kind,
  status,
  strategy: null,
  started_at: finished ?? '2026-01-01 11:59:00',
  finished_at: finished,
  details: details ? JSON.stringify(details) : null,
  error: status === 'failed' ? 'boom' : null,
  ...extra,
});

const now = new Date('2026-01-02T12:00:00Z');
/** A healthy pipeline: synced 10 min ago, backed up 3 h ago, restore-tested 2 d ago, verify clean. */
const healthy = (): HistoryRow[] => [
  row(10, 'sync', 'succeeded', '2026-01-02 11:50:00', { tables: [{ table: 'contacts' }] }),
  row(9, 'verify', 'succeeded', '2026-01-02 11:40:00', { tables: [{ table: 'contacts', chunksDiffering: 0 }] }),
  row(8, 'backup', 'succeeded', '2026-01-02 09:00:00', { dir: '/b/x' }),
  row(7, 'backup-verify', 'succeeded', '2025-12-31 12:00:00', { dir: '/b/old', restoreTest: true }),
];
const verdict = (rows: HistoryRow[], t = DEFAULT_CHECK_THRESHOLDS) => decideCheck(computeStatus('r', rows, now), t);

describe('status --check verdict', () => {
  it('OK for a healthy pipeline, with one Nagios line and performance data', () => {
    const v = verdict(healthy());
    expect(v.state).toBe('OK');
    expect(v.code).toBe(0);
    expect(v.summary).toMatch(/^DUALPIPE OK - data 10 min old, no failed run, no drift \| data_age=600s;7200;21600 backup_age=10800s;93600;180000 restore_test_age=172800s;691200;$/);
  });

  it('a failed backup after a good one is a WARNING by default, CRITICAL when asked', () => {
    const rows = [row(11, 'backup', 'failed', '2026-01-02 11:55:00'), ...healthy()];
    const v = verdict(rows);
    expect(v.state).toBe('WARNING');
    expect(v.code).toBe(1);
    expect(v.summary).toMatch(/^DUALPIPE WARNING - last backup failed \(#11 2026-01-02 11:55:00: boom\)/);
    expect(verdict(rows, { ...DEFAULT_CHECK_THRESHOLDS, failedRun: 'critical' }).state).toBe('CRITICAL');
    expect(verdict(rows, { ...DEFAULT_CHECK_THRESHOLDS, failedRun: 'ignore' }).state).toBe('OK');
  });

  it('only the newest finished run of a kind counts: a later success clears a failure; a running one does not', () => {
    const rows = [row(13, 'sync', 'running', null), row(12, 'sync', 'succeeded', '2026-01-02 11:58:00'), row(11, 'sync', 'failed', '2026-01-02 11:30:00'), ...healthy()];
    expect(verdict(rows).state).toBe('OK');
  });

  it('drift in the last verify is CRITICAL and named once; a verify that failed without drift is a failed run', () => {
    const drift = [row(11, 'verify', 'failed', '2026-01-02 11:55:00', { tables: [{ table: 'contacts', chunksDiffering: 2 }] }), ...healthy()];
    const v = verdict(drift);
    expect(v.state).toBe('CRITICAL');
    expect(v.problems).toEqual([{ state: 'CRITICAL', text: 'verify #11 found drift in contacts' }]);
    expect(verdict(drift, { ...DEFAULT_CHECK_THRESHOLDS, drift: 'warning' }).state).toBe('WARNING');
    const busy = [row(11, 'verify', 'failed', '2026-01-02 11:55:00', null), ...healthy()];
    expect(verdict(busy).problems).toEqual([{ state: 'WARNING', text: 'last verify failed (#11 2026-01-02 11:55:00: boom)' }]);
  });

  it('ages: WARNING past warn, CRITICAL past crit, never counts as too old, off disables', () => {
    const old = healthy().map((r) => (r.kind === 'sync' ? { ...r, finished_at: '2026-01-02 08:00:00' } : r));
    expect(verdict(old).summary).toMatch(/^DUALPIPE WARNING - data 4\.0 h old \(limit 2\.0 h\)/);
    const older = healthy().map((r) => (r.kind === 'sync' ? { ...r, finished_at: '2026-01-01 12:00:00' } : r));
    expect(verdict(older).summary).toMatch(/^DUALPIPE CRITICAL - data 24\.0 h old \(limit 6\.0 h\)/);
    const noBackup = healthy().filter((r) => r.kind !== 'backup');
    expect(verdict(noBackup).problems).toEqual([{ state: 'CRITICAL', text: 'no successful backup yet' }]);
    expect(verdict(noBackup, { ...DEFAULT_CHECK_THRESHOLDS, backupAge: {} }).state).toBe('OK');
    const noTest = healthy().filter((r) => r.kind !== 'backup-verify');
    expect(verdict(noTest).problems).toEqual([{ state: 'WARNING', text: 'no restore test yet' }]);
    // A backup verify without a restore test is not a restore test.
    const plain = [row(11, 'backup-verify', 'succeeded', '2026-01-02 11:00:00', { dir: '/b/x', restoreTest: false }), ...noTest];
    expect(verdict(plain).problems).toEqual([{ state: 'WARNING', text: 'no restore test yet' }]);
  });

  it('the worst finding decides, and leads the line', () => {
    const rows = [row(12, 'prune', 'failed', '2026-01-02 11:55:00'), row(11, 'verify', 'failed', '2026-01-02 11:54:00', { tables: [{ table: 'deals', missingMirror: true }] }), ...healthy()];
    const v = verdict(rows);
    expect(v.state).toBe('CRITICAL');
    expect(v.summary).toMatch(/^DUALPIPE CRITICAL - verify #11 found drift in deals; last prune failed/);
  });

  it('nothing at all: no sync and no backup are CRITICAL', () => {
    const v = verdict([]);
    expect(v.state).toBe('CRITICAL');
    expect(v.problems.map((p) => p.text)).toEqual(['no successful sync yet', 'no successful backup yet', 'no restore test yet']);
  });

  it('single verdicts for a missing schema or an unreadable status', () => {
    expect(singleVerdict('UNKNOWN', 'connect ECONNREFUSED')).toEqual({ state: 'UNKNOWN', code: 3, summary: 'DUALPIPE UNKNOWN - connect ECONNREFUSED', problems: [] });
    expect(singleVerdict('CRITICAL', 'schema x does not exist').code).toBe(2);
  });

  it('parses WARN[,CRIT] thresholds', () => {
    expect(parseAgeThreshold('2h,6h', parseDuration)).toEqual({ warnSeconds: 7200, critSeconds: 21600 });
    expect(parseAgeThreshold('90m', parseDuration)).toEqual({ warnSeconds: 5400 });
    expect(parseAgeThreshold(',1d', parseDuration)).toEqual({ critSeconds: 86400 });
    expect(parseAgeThreshold('off', parseDuration)).toEqual({});
    for (const bad of ['', ',', 'soon', '1h,2h,3h', '1h,later']) expect(parseAgeThreshold(bad, parseDuration)).toBeUndefined();
  });
});

describe('status: runs in progress and the last outcome of each kind', () => {
  it('lists running runs with host and pid, and the newest finished run per kind', () => {
    const holder = JSON.stringify({ host: 'db1', pid: 4242, lockConnection: 17 });
    const rows = [row(12, 'backup', 'running', null, null, { holder }), row(11, 'backup', 'failed', '2026-01-02 11:00:00'), ...healthy()];
    const s = computeStatus('r', rows, now);
    expect(s.running).toEqual([expect.objectContaining({ id: 12, kind: 'backup', host: 'db1', pid: 4242 })]);
    expect(s.lastRuns.map((r) => [r.kind, r.id, r.status])).toEqual([
      ['backup', 11, 'failed'],
      ['sync', 10, 'succeeded'],
      ['verify', 9, 'succeeded'],
      ['backup-verify', 7, 'succeeded'],
    ]);
    expect(s.lastBackup?.id).toBe(8);
    expect(s.lastRestoreTest?.id).toBe(7);
    expect(s.lastSyncAt).toBe('2026-01-02 11:50:00');
  });
});
