/**
 * `dualpipe status` against the real server, through the CLI: per-table freshness, the last syncs
 * with outcome and duration, the last backup and whether it was verified, the last verify, `--json`,
 * and `--max-age` exiting 3 when a report table is staler (for monitoring).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../src/db/connection.js';
import type { PipelineStatus } from '../../ops/status.js';
import { historyTable } from '../../src/history/run-history.js';
import { type CrmFixture, createCrmFixture } from '../helpers/crm-fixture.js';
import { runCliCapture } from '../helpers/run-cli-capture.js';

let fx: CrmFixture;
let conn: SqlConnection;
let backups: string;

beforeAll(async () => {
  fx = await createCrmFixture('status_cli', 0.005);
  conn = await fx.connector.connect();
  backups = mkdtempSync(join(tmpdir(), 'dualpipe-status-'));
});

afterAll(async () => {
  await conn?.close();
  await fx?.drop();
  if (backups) rmSync(backups, { recursive: true, force: true });
});

const cli = (...argv: string[]) => runCliCapture([...argv, '--source', fx.url]);

async function status(...extra: string[]): Promise<{ code: number; s: PipelineStatus; stderr: string }> {
  const r = await cli('status', '--json', ...extra);
  return { code: r.code, s: JSON.parse(r.stdout) as PipelineStatus, stderr: r.stderr };
}

describe('dualpipe status', () => {
  it('before any sync: nothing refreshed, and --max-age fails the monitor', async () => {
    const text = await cli('status');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('no successful sync yet');
    expect(text.stdout).toContain('last backup: none');
    const r = await cli('status', '--max-age', '2h');
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^dualpipe: no report table has been built yet/)]);
  });

  it('refuses a malformed --max-age (exit 2)', async () => {
    const r = await cli('status', '--max-age', 'two hours');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid --max-age "two hours"/);
  });

  it('after a sync: every mirror and report with its age, the sync with outcome and duration', async () => {
    const sync = await cli('sync');
    expect(sync.code, sync.stderr).toBe(0);
    const { code, s } = await status();
    expect(code).toBe(0);
    const names = s.tables.map((t) => t.table);
    for (const t of fx.tables.filter((x) => !x.startsWith('knex_'))) expect(names).toContain(t);
    const reports = s.tables.filter((t) => t.kind === 'report');
    expect(reports.length).toBeGreaterThan(0);
    for (const t of s.tables) {
      expect(t.refreshedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      expect(t.ageSeconds).toBeGreaterThanOrEqual(0);
      expect(t.ageSeconds).toBeLessThan(600);
    }
    expect(s.recentSyncs[0]).toMatchObject({ status: 'succeeded', strategy: 'swap', kind: 'sync' });
    expect(s.recentSyncs[0]!.seconds).toBeGreaterThan(0);
    expect(s.lastBackup).toBeNull();
    expect(s.lastVerify).toBeNull();

    const ok = await cli('status', '--max-age', '2h');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^ {2}rpt_\S+ +report +refreshed \d{4}-.* \(\d+ s ago\)$/m);
    expect(ok.stdout).toMatch(/^ {2}#\d+ +succeeded swap +started .* took \d+\.\d s$/m);
    expect(ok.stdout).toContain('every report table is younger than 2.0 h');
  });

  it('the last backup, not verified and then verified; the last verify with its outcome', async () => {
    const b = await cli('backup', '--to', backups);
    expect(b.code, b.stderr).toBe(0);
    let { s } = await status();
    expect(s.lastBackup).toMatchObject({ status: 'succeeded', verified: null, verifiedAt: null });
    expect(s.lastBackup!.dir).toContain(backups);
    expect((await cli('status')).stdout).toMatch(/last backup: #\d+ finished .* not verified/);

    const v = await cli('backup', 'verify', s.lastBackup!.dir!);
    expect(v.code, v.stderr).toBe(0);
    ({ s } = await status());
    expect(s.lastBackup).toMatchObject({ verified: true });
    expect((await cli('status')).stdout).toMatch(/last backup: #\d+ .* verified \d{4}-/);

    const check = await cli('verify');
    expect(check.code, check.stderr).toBe(0);
    ({ s } = await status());
    expect(s.lastVerify).toMatchObject({ ok: true, drift: [], status: 'succeeded' });
    expect((await cli('status')).stdout).toMatch(/last verify: #\d+ finished .* ok: mirrors equal the source/);
  });

  it('a backup and a verify stay in view behind hundreds of later syncs', async () => {
    const table = historyTable(fx.reportSchema);
    const values = Array.from({ length: 600 }, () => "('sync', 'failed', 'incremental', NOW(6), NOW(6), 'null', 'boom')").join(', ');
    await conn.execute(`INSERT INTO ${table} (kind, status, strategy, started_at, finished_at, details, error) VALUES ${values}`);
    const { s } = await status();
    expect(s.lastBackup).toMatchObject({ verified: true });
    expect(s.lastVerify).toMatchObject({ ok: true });
    expect(s.tables.length).toBeGreaterThan(0);
    expect(s.recentSyncs).toHaveLength(5);
    expect(s.recentSyncs.every((r) => r.status === 'failed' && r.error === 'boom')).toBe(true);
    await conn.execute(`DELETE FROM ${table} WHERE kind = 'sync' AND status = 'failed' AND error = 'boom'`);
  });

  it('--max-age exits 3 naming the reports that are older, with the status still printed', async () => {
    // The sync finished three hours ago, as far as the history knows.
    const table = historyTable(fx.reportSchema);
    await conn.execute(
      `UPDATE ${table} SET started_at = started_at - INTERVAL 3 HOUR, finished_at = finished_at - INTERVAL 3 HOUR WHERE kind = 'sync'`,
    );
    const { code, s, stderr } = await status('--max-age', '2h');
    expect(code).toBe(3);
    const reports = s.tables.filter((t) => t.kind === 'report').map((t) => t.table);
    expect(s.stale).toEqual(reports);
    for (const t of s.tables) expect(t.ageSeconds).toBeGreaterThan(3 * 3600 - 60);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(new RegExp(`^dualpipe: report tables older than 2h: ${reports[0]}`));

    const text = await cli('status', '--max-age', '2h');
    expect(text.code).toBe(3);
    expect(text.stdout).toMatch(/^ {2}rpt_\S+ +report +refreshed .* \(3\.0 h ago\) {2}STALE$/m);
    expect(text.stdout).toContain('STALE (older than 2.0 h): ');
    expect((await cli('status', '--max-age', '4h')).code).toBe(0);
  });
});
