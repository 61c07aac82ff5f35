/**
 * An incremental sync killed with SIGKILL at several points leaves the live mirrors and reports
 * wholly old or wholly new (it only writes the shadow set before its one RENAME), and the next
 * run is exact.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify } from '../../../src/db/quote.js';
import { installCapture } from '../../../sync/capture/capture.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { runIncrementalSync } from '../../../sync/incremental/run-incremental.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { exitOf, spawnCli, waitForOutput } from '../../helpers/spawn-cli.js';
import { schemaDigest } from '../../helpers/table-digest.js';
import { testPipeline } from '../../helpers/test-database.js';
import { waitQuiet } from '../../helpers/wait-quiet.js';

let fx: CrmFixture;
let conn: SqlConnection;
const REPORTS = ['rpt_customer_360', 'rpt_interaction_search', 'rpt_pipeline_by_stage_owner', 'rpt_revenue_by_month'];

beforeAll(async () => {
  fx = await createCrmFixture('ikill', 0.02);
  conn = await fx.connector.connect();
  await installCapture(conn, fx.database);
});

afterAll(async () => {
  await conn.close();
  await fx.drop();
});

const kills: { at: RegExp | number; label: string }[] = [
  { at: /incremental: applying changes/, label: 'when it starts writing the shadow set' },
  { at: /incremental: \w+ applied/, label: 'after the first shadow mirror was written' },
  { at: /incremental: reports refreshed/, label: 'after the reports were refreshed' },
  { at: 150, label: '150 ms after start' },
  { at: 400, label: '400 ms after start' },
];

describe('incremental sync killed with SIGKILL', () => {
  it('leaves the live tables wholly old or wholly new; the next run is exact', async () => {
    const url = fx.url;
    const live = [...fx.tables, ...REPORTS];
    // The starting state (a full sync, then incremental runs until the shadow set is primed) comes
    // from library calls: a CLI process each costs a node start; the killed runs below are processes.
    await runSync({ pipeline: fx.pipeline });
    for (let i = 0; i < 2; i++) expect((await runIncrementalSync({ pipeline: fx.pipeline })).fullSyncReason).toBeUndefined();
    const old = await schemaDigest(conn, fx.reportSchema, live);
    // What dualpipe_freshness says is swapped with the tables: it names the run whose tables are live.
    const runsShown = async () =>
      (await conn.query<{ r: number | string }>(`SELECT DISTINCT run_id AS r FROM ${qualify(fx.reportSchema, 'dualpipe_freshness')}`)).map((x) => Number(x.r));
    const oldRuns = await runsShown();
    expect(oldRuns.length).toBe(1);
    const q = (t: string) => qualify(fx.database, t);
    await conn.execute(`UPDATE ${q('contacts')} SET lead_score = lead_score + 7 WHERE id % 3 = 0`);
    await conn.execute(`DELETE FROM ${q('contacts')} WHERE id % 11 = 0`);
    await conn.execute(`UPDATE ${q('interactions')} SET subject = 'changed' WHERE id % 5 = 0`);
    await conn.execute(`UPDATE ${q('transactions')} SET status = 'refunded' WHERE id % 13 = 0`);

    const observed: { label: string; digest: Record<string, string>; runs: number[] }[] = [];
    for (const k of kills) {
      const child = spawnCli(['sync', '--incremental', '--source', url, '--wait-lock', '60', '--log-level', 'info']);
      if (typeof k.at === 'number') await sleep(k.at);
      else await waitForOutput(child, k.at).catch(() => {});
      child.kill('SIGKILL');
      await exitOf(child);
      await waitQuiet(conn, [fx.reportSchema, fx.database]);
      observed.push({ label: k.label, digest: await schemaDigest(conn, fx.reportSchema, live), runs: await runsShown() });
    }
    const done = spawnCli(['sync', '--incremental', '--source', url, '--wait-lock', '60']);
    expect(await exitOf(done)).toBe(0);
    const fresh = await schemaDigest(conn, fx.reportSchema, live);
    expect(fresh).not.toEqual(old);
    for (const o of observed) {
      expect([old, fresh].some((d) => JSON.stringify(d) === JSON.stringify(o.digest)), `killed ${o.label}: a mix of old and new`).toBe(true);
      // Old tables are still described as the old run's; new ones by the run that swapped them in.
      if (JSON.stringify(o.digest) === JSON.stringify(old)) expect(o.runs, `killed ${o.label}: freshness`).toEqual(oldRuns);
      else expect(o.runs.length, `killed ${o.label}: freshness`).toBe(1);
    }
    // At least one kill landed before the swap, so the test saw the old state survive a kill.
    expect(observed.some((o) => JSON.stringify(o.digest) === JSON.stringify(old))).toBe(true);
    // Exact: mirrors equal the source, reports equal a full build.
    expect(await schemaDigest(conn, fx.reportSchema, fx.tables)).toEqual(await schemaDigest(conn, fx.database, fx.tables));
    const full = `${fx.reportSchema}_full`;
    await runSync({
      pipeline: testPipeline(fx, full),
    });
    expect(await schemaDigest(conn, fx.reportSchema, REPORTS)).toEqual(await schemaDigest(conn, full, REPORTS));
  });
});
