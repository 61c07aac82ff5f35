/** `dualpipe schedule` runs incremental syncs on one cron expression and full ones on another. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify } from '../../../src/db/quote.js';
import { installCapture } from '../../../sync/capture/capture.js';
import { recentRuns } from '../../../src/history/run-history.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { exitOf, spawnCli, waitForOutput } from '../../helpers/spawn-cli.js';
import { schemaDigest } from '../../helpers/table-digest.js';

let fx: CrmFixture;
let conn: SqlConnection;

beforeAll(async () => {
  fx = await createCrmFixture('isched', 0.01);
  conn = await fx.connector.connect();
  await installCapture(conn, fx.database);
});

afterAll(async () => {
  await conn.close();
  await fx.drop();
});

describe('schedule with incremental syncs', () => {
  it('runs incremental syncs every second beside a full sync, never two at once, and stops cleanly', async () => {
    const child = spawnCli(['schedule', '--incremental-cron', '* * * * * *', '--sync-cron', '*/3 * * * * *', '--source', fx.url]);
    await waitForOutput(child, /shadow set swapped in/, 60_000);
    await conn.execute(`DELETE FROM ${qualify(fx.database, 'contacts')} WHERE id % 9 = 0`);
    await conn.execute(`UPDATE ${qualify(fx.database, 'transactions')} SET status = 'cancelled' WHERE id % 7 = 0`);
    const seen = child.stderrText().length;
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        // Two swaps: the first may be of a run whose snapshot opened before the changes committed
        // (clean-clone CI run k saw exactly that: the UPDATE missing from the mirror).
        if ((child.stderrText().slice(seen).match(/shadow set swapped in/g) ?? []).length >= 2) {
          clearInterval(timer);
          resolve();
        }
      }, 100);
      setTimeout(() => {
        clearInterval(timer);
        reject(new Error('no incremental run after the changes'));
      }, 30_000);
    });
    child.kill('SIGTERM');
    expect(await exitOf(child)).toBe(0);
    const runs = (await recentRuns(conn, fx.reportSchema, 100)).filter((r) => r.kind === 'sync');
    expect(runs.some((r) => r.strategy === 'incremental' && r.status === 'succeeded')).toBe(true);
    expect(runs.some((r) => r.strategy === 'swap' && r.status === 'succeeded')).toBe(true);
    expect(runs.filter((r) => r.status === 'failed')).toEqual([]);
    // Runs never overlapped: each started after the previous one finished.
    const ordered = [...runs].filter((r) => r.finishedAt).sort((a, b) => a.id - b.id);
    for (let i = 1; i < ordered.length; i++) {
      expect(new Date(String(ordered[i]!.startedAt)).getTime()).toBeGreaterThanOrEqual(new Date(String(ordered[i - 1]!.finishedAt)).getTime() - 1000);
    }
    expect(await schemaDigest(conn, fx.reportSchema, fx.tables)).toEqual(await schemaDigest(conn, fx.database, fx.tables));
  });
});
