/**
 * `dualpipe status --check` (Nagios/Icinga codes) and the runs `status` must not hide, against the
 * real server through the CLI: a failed backup, drift, a missing schema, a run holding the lock.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import type { PipelineStatus } from '../../ops/status.js';
import type { CheckVerdict } from '../../ops/status-check.js';
import { finishRun, startRun } from '../../src/history/run-history.js';
import { acquireRunLock, lockName } from '../../src/lock/run-lock.js';
import { type CrmFixture, createCrmFixture } from '../helpers/crm-fixture.js';
import { runCliCapture } from '../helpers/run-cli-capture.js';

let fx: CrmFixture;
let conn: SqlConnection;
let backups: string;

beforeAll(async () => {
  fx = await createCrmFixture('status_check', 0.005);
  conn = await fx.connector.connect();
  backups = mkdtempSync(join(tmpdir(), 'dualpipe-check-'));
});

afterAll(async () => {
  await conn?.close();
  await fx?.drop();
  if (backups) rmSync(backups, { recursive: true, force: true });
});

const cli = (...argv: string[]) => runCliCapture([...argv, '--source', fx.url]);
// The restore test is not what these tests are about: its age is left out unless a test asks.
const check = (...extra: string[]) => cli('status', '--check', '--restore-test-age', 'off', ...extra);
async function checkJson(...extra: string[]): Promise<{ code: number; s: PipelineStatus & { check: CheckVerdict } }> {
  const r = await check('--json', ...extra);
  return { code: r.code, s: JSON.parse(r.stdout) as PipelineStatus & { check: CheckVerdict } };
}

describe('status --check', () => {
  it('a source schema that does not exist: status exits 2, --check is CRITICAL, doctor fails; one clear line each', async () => {
    const url = fx.url.replace(new RegExp(`/${fx.database}(\\?|$)`), '/no_such_schema_x$1');
    expect(url).not.toBe(fx.url);
    const s = await runCliCapture(['status', '--source', url]);
    expect(s.code).toBe(2);
    expect(s.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^dualpipe: schema no_such_schema_x does not exist — /)]);
    const c = await runCliCapture(['status', '--check', '--source', url]);
    expect(c.code).toBe(2);
    expect(c.stdout.trim()).toBe('DUALPIPE CRITICAL - schema no_such_schema_x does not exist');
    const d = await runCliCapture(['doctor', '--source', url]);
    expect(d.code).toBe(1);
    expect(d.stdout).toMatch(/^FAIL +source +source schema +schema no_such_schema_x does not exist/m);
  });

  it('nothing synced yet is CRITICAL; after a sync and a backup it is OK (exit 0), the line first', async () => {
    const before = await check();
    expect(before.code).toBe(2);
    expect(before.stdout.split('\n')[0]).toMatch(/^DUALPIPE CRITICAL - no successful sync yet; no successful backup yet/);
    expect((await cli('sync')).code).toBe(0);
    const b = await cli('backup', '--to', backups);
    expect(b.code, b.stderr).toBe(0);
    const ok = await check();
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout.split('\n')[0]).toMatch(/^DUALPIPE OK - data \d+ s old, no failed run, no drift \| data_age=\d+s;7200;21600 backup_age=\d+s;93600;180000$/);
    expect(ok.stderr).toBe('');
    // Without --check the usual codes and output stand.
    const plain = await cli('status');
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toContain('DUALPIPE');
  });

  it('a failed backup is recorded: status shows it beside the last good one, --check says WARNING (CRITICAL on request)', async () => {
    const file = join(backups, 'not-a-dir');
    writeFileSync(file, 'x');
    const failed = await cli('backup', '--to', file);
    expect(failed.code).not.toBe(0);
    const { code, s } = await checkJson();
    expect(code).toBe(1);
    expect(s.check.state).toBe('WARNING');
    const last = s.lastRuns.find((r) => r.kind === 'backup');
    expect(last).toMatchObject({ status: 'failed' });
    expect(last!.error).toBeTruthy();
    expect(s.lastBackup).toMatchObject({ status: 'succeeded' });
    expect(s.lastBackup!.id).toBeLessThan(last!.id);
    const text = await check();
    expect(text.stdout.split('\n')[0]).toMatch(new RegExp(`^DUALPIPE WARNING - last backup failed \\(#${last!.id} `));
    expect((await cli('status')).stdout).toMatch(new RegExp(`^last run FAILED:\\n {2}backup +#${last!.id} +failed`, 'm'));
    expect((await check('--failed-run', 'critical')).code).toBe(2);
    // The next good backup clears it (in a folder of its own: backup folders are named to the second).
    const again = await cli('backup', '--to', mkdtempSync(join(backups, 'again-')));
    expect(again.code, again.stderr).toBe(0);
    expect((await check()).code).toBe(0);
  });

  it('drift found by the last verify is CRITICAL, naming the table', async () => {
    await conn.execute(`UPDATE ${qualify(fx.reportSchema, 'contacts')} SET email = CONCAT('x', email) ORDER BY id LIMIT 1`);
    expect((await cli('verify')).code).toBe(3);
    const r = await check();
    expect(r.code).toBe(2);
    expect(r.stdout.split('\n')[0]).toMatch(/^DUALPIPE CRITICAL - verify #\d+ found drift in contacts/);
    expect((await check('--drift', 'warning')).code).toBe(1);
    expect((await cli('sync')).code).toBe(0);
    expect((await cli('verify')).code).toBe(0);
    expect((await check()).code).toBe(0);
  });

  it('age thresholds from the flags; a malformed one is UNKNOWN', async () => {
    const r = await check('--data-age', '0s,1d');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^DUALPIPE WARNING - data \d+ s old \(limit 0 s\)/);
    const bad = await check('--backup-age', 'soon');
    expect(bad.code).toBe(3);
    expect(bad.stdout.trim()).toBe('DUALPIPE UNKNOWN - invalid --backup-age "soon"');
  });
});

describe('every kind of run is recorded, failures included', () => {
  it('check, prune and restore runs: their outcome is the newest of their kind', async () => {
    expect((await cli('check')).code).toBe(0);
    const missing = join(backups, 'no-such-folder');
    expect((await cli('restore', '--from', missing, '--into', `${fx.database}_r`, '--yes')).code).not.toBe(0);
    const file = join(backups, 'not-a-dir');
    expect((await cli('backup', 'prune', '--in', file, '--keep-last', '1')).code).not.toBe(0);
    expect((await cli('backup', 'prune', '--in', backups, '--keep-last', '5')).code).toBe(0);
    const { s } = await checkJson();
    const last = (kind: string) => s.lastRuns.find((r) => r.kind === kind);
    expect(last('check')).toMatchObject({ status: 'succeeded' });
    expect(last('restore')).toMatchObject({ status: 'failed', error: expect.stringContaining(missing) });
    expect(last('prune')).toMatchObject({ status: 'succeeded' });
    expect(s.check.problems).toContainEqual({ state: 'WARNING', text: expect.stringMatching(/^last restore failed/) });
  });

  it('a prune does not need the report server: with the server unreachable it still prunes, unrecorded', async () => {
    const url = new URL(fx.url);
    url.port = '1';
    const r = await runCliCapture(['backup', 'prune', '--in', backups, '--keep-last', '5', '--source', url.toString()]);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('runs in progress and the lock holder', () => {
  it('exit 4 names the run holding the lock; status lists it as running and as the lock holder', async () => {
    const lock = await acquireRunLock(fx.report, lockName('sync', fx.reportSchema));
    const started = new Date(Date.now() - 60_000);
    const id = await startRun(conn, fx.reportSchema, { kind: 'backup', startedAt: started, lockConnection: lock.session.threadId });
    try {
      const sync = await cli('sync');
      expect(sync.code).toBe(4);
      // verify waits 30 s for the lock by default; --wait-lock shortens it, and it names the holder too.
      const verify = await cli('verify', '--wait-lock', '1');
      expect(verify.code, verify.stderr).toBe(4);
      expect(verify.stderr).toContain(`backup run #${id}`);
      expect(sync.stderr.split('\n')[0]).toMatch(
        new RegExp(`^dualpipe: another dualpipe run holds the lock dualpipe:sync:${fx.reportSchema}: backup run #${id} on ${hostname()} \\(pid ${process.pid}\\) since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d — `),
      );
      const { s } = await checkJson();
      expect(s.running).toEqual([expect.objectContaining({ id, kind: 'backup', status: 'running', host: hostname(), pid: process.pid })]);
      expect(s.lockHolder).toMatchObject({ connection: lock.session.threadId, runId: id, kind: 'backup' });
      const text = await cli('status');
      expect(text.stdout).toMatch(new RegExp(`^running:\\n {2}backup +#${id} +since .* on ${hostname()} \\(pid ${process.pid}\\)$`, 'm'));
      expect(text.stdout).toMatch(new RegExp(`^sync lock: held by backup run #${id} on `, 'm'));
    } finally {
      await finishRun(conn, fx.reportSchema, id, { status: 'succeeded', finishedAt: new Date() });
      await lock.release();
    }
    expect((await cli('status')).stdout).toMatch(/^sync lock: free$/m);
  });

  it('a lock held outside any recorded run names the server session', async () => {
    const lock = await acquireRunLock(fx.report, lockName('sync', fx.reportSchema));
    try {
      const r = await cli('backup', '--to', backups);
      expect(r.code).toBe(4);
      expect(r.stderr.split('\n')[0]).toMatch(new RegExp(`holds the lock dualpipe:sync:${fx.reportSchema}: server session ${lock.session.threadId}\\b`));
      // The backup that could not run is in the history as failed: nobody would see it otherwise.
      const { s } = await checkJson();
      expect(s.lastRuns.find((x) => x.kind === 'backup')).toMatchObject({ status: 'failed', error: expect.stringMatching(/holds the lock/) });
    } finally {
      await lock.release();
    }
  });
});
