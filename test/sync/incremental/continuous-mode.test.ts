/**
 * Continuous mode: `schedule --incremental-every 1s` with either capture method. A quiet source
 * costs idle checks only (no run, no new generation); changes are published within seconds,
 * cascades included; once quiet again, no further run follows (the run's own writes to the report
 * schema do not wake it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualify } from '../../../src/db/quote.js';
import { recentRuns } from '../../../src/history/run-history.js';
import { type CaptureMethod, CAPTURE_METHODS } from '../../../sync/capture/capture-method.js';
import { createIncrementalFixture, type IncrementalFixture } from '../../helpers/incremental-fixture.js';
import { exitOf, spawnCli, waitForOutput } from '../../helpers/spawn-cli.js';
import { schemaDigest } from '../../helpers/table-digest.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(CAPTURE_METHODS)('continuous mode with %s capture', (method: CaptureMethod) => {
  let f: IncrementalFixture;
  beforeAll(async () => {
    f = await createIncrementalFixture(`cont_${method.slice(0, 3)}`, method);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('stays idle while nothing changes, publishes changes within seconds, then idles again', { timeout: 400_000 }, async () => {
    const { fx, conn } = f;
    const syncRuns = async () => (await recentRuns(conn, fx.reportSchema, 100)).filter((r) => r.kind === 'sync');
    const before = (await syncRuns()).length;
    const child = spawnCli(['schedule', '--incremental-every', '1s', '--source', fx.url, '--json'], { DUALPIPE_LOG_LEVEL: 'debug' });
    try {
      await waitForOutput(child, /scheduler started/, 30_000);
      // On MySQL every binlog read starts at the current file's beginning (capture-snapshot.ts): on the
      // suite's shared server, busy with other files' writes, one check can take many seconds.
      await waitForOutput(child, /nothing to do/, 120_000);
      await sleep(2500);
      expect((await syncRuns()).length, 'no run while the source is quiet').toBe(before);

      // A cascade (contacts → their children) and a plain update, committed while the loop runs.
      await conn.execute(`DELETE FROM ${qualify(fx.database, 'contacts')} WHERE id % 11 = 0`);
      await conn.execute(`UPDATE ${qualify(fx.database, 'organizations')} SET name = CONCAT(name, ' (cont)') WHERE id % 5 = 0`);
      const changedAt = Date.now();
      let exact = false;
      while (!exact && Date.now() - changedAt < 150_000) {
        await sleep(250);
        exact = JSON.stringify(await schemaDigest(conn, fx.reportSchema, f.sourceTables)) === JSON.stringify(await schemaDigest(conn, fx.database, f.sourceTables));
      }
      expect(exact, `mirrors equal the source within 150 s; the scheduler said: ${child.stderrText().slice(-3000)}`).toBe(true);
      await f.expectExact('after continuous mode caught up');

      // Quiet again: at most the run in flight finishes, then nothing more.
      await sleep(2500);
      const settled = (await syncRuns()).length;
      await sleep(3000);
      expect((await syncRuns()).length, 'no run once quiet').toBe(settled);
      expect(settled).toBeGreaterThan(before);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exitOf(child)).toBe(0);
    expect((await syncRuns()).filter((r) => r.status === 'failed')).toEqual([]);
  });
});

describe('schedule --incremental-every refuses bad input', () => {
  it('a too-short interval, or both --incremental-every and --incremental-cron, in one line with exit 2', async () => {
    for (const args of [
      ['--incremental-every', '0.5s'],
      ['--incremental-every', 'often'],
      ['--incremental-every', '5s', '--incremental-cron', '* * * * *'],
    ]) {
      const child = spawnCli(['schedule', ...args, '--source', 'mysql://root@127.0.0.1:1/x']);
      expect(await exitOf(child), args.join(' ')).toBe(2);
      expect(child.stderrText().trim().split('\n')).toHaveLength(1);
    }
  });
});
