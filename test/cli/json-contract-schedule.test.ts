/**
 * The `--json` contract for `schedule` (see json-contract.test.ts): it runs until a signal, so the
 * success runs as a child process (the built CLI) stopped with SIGTERM; its one document is the
 * scheduler's stats. A bad cron expression fails before anything starts, in-process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectContract } from '../helpers/json-contract.js';
import { runCliCapture } from '../helpers/run-cli-capture.js';
import { exitOf, spawnCli, waitForOutput } from '../helpers/spawn-cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase('json_schedule');
  dir = mkdtempSync(join(tmpdir(), 'dp-json-schedule-'));
});

afterAll(async () => {
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('dualpipe schedule --json', () => {
  it('prints one document with the stats when stopped by SIGTERM', async () => {
    // Once a year: no job runs during the test; info level only to see that it started.
    const child = spawnCli(['schedule', '--sync-cron', '0 0 1 1 *', '--json', '--source', db.url], { XDG_STATE_HOME: dir, DUALPIPE_LOG_LEVEL: 'info' });
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    await waitForOutput(child, /scheduler started/);
    child.kill('SIGTERM');
    const code = await exitOf(child);
    const doc = expectContract({ code: code ?? -1, stdout, stderr: '' }, 'schedule', 0);
    expect(doc).toMatchObject({ runs: 0, failures: 0 });
  });

  it('a bad cron expression is ok:false with a usage error', async () => {
    const r = await runCliCapture(['schedule', '--sync-cron', 'every now and then', '--json', '--source', db.url], { DUALPIPE_LOG_LEVEL: undefined }, dir);
    expect(r.code).not.toBe(0);
    const doc = expectContract(r, 'schedule', r.code) as { error: { code: string } };
    expect(doc.error.code).toMatch(/USAGE|CONFIG/);
  });
});
