/**
 * A sync killed with SIGKILL at several points leaves the report schema wholly old or wholly new
 * (never a mix, never a partial table under a live name), and the next run succeeds and is exact.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify } from '../../../src/db/quote.js';
import { recentRuns } from '../../../src/history/run-history.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { exitOf, spawnCli, waitForOutput } from '../../helpers/spawn-cli.js';
import { schemaDigest } from '../../helpers/table-digest.js';
import { waitQuiet } from '../../helpers/wait-quiet.js';

let fx: CrmFixture;
let conn: SqlConnection;

beforeAll(async () => {
  fx = await createCrmFixture('kill', 0.02);
  conn = await fx.connector.connect();
});

afterAll(async () => {
  await conn.close();
  await fx.drop();
});

async function liveTables(): Promise<string[]> {
  const rows = await conn.query<{ t: string }>(
    "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME NOT LIKE '\\_\\_dp\\_%' ORDER BY 1",
    [fx.reportSchema],
  );
  return rows.map((r) => r.t);
}

const kills: { at: RegExp | number; label: string }[] = [
  { at: /sync planned/, label: 'after planning (temporary tables being created)' },
  { at: /mirror \w+ built/, label: 'after the first mirror was built' },
  { at: /report rpt_\w+ built|mirror pipeline_stages built/, label: 'while building reports' },
  { at: 150, label: '150 ms after start' },
  { at: 600, label: '600 ms after start' },
];

describe('sync killed with SIGKILL', () => {
  it('leaves report tables wholly old or wholly new; the next run succeeds', async () => {
    const url = fx.url;
    const first = spawnCli(['sync', '--source', url]);
    expect(await exitOf(first)).toBe(0);
    const tables = await liveTables();
    const old = await schemaDigest(conn, fx.reportSchema, tables);

    await conn.execute(
      `UPDATE ${qualify(fx.database, 'contacts')} SET lead_score = lead_score + 7 WHERE id % 3 = 0`,
    );
    await conn.execute(`DELETE FROM ${qualify(fx.database, 'contacts')} WHERE id % 11 = 0`);
    await conn.execute(
      `UPDATE ${qualify(fx.database, 'interactions')} SET subject = 'changed' WHERE id % 5 = 0`,
    );

    const observed: { label: string; digest: Record<string, string> }[] = [];
    for (const k of kills) {
      const child = spawnCli(['sync', '--source', url, '--wait-lock', '60']);
      if (typeof k.at === 'number') await sleep(k.at);
      else await waitForOutput(child, k.at).catch(() => {});
      child.kill('SIGKILL');
      await exitOf(child);
      await waitQuiet(conn, [fx.reportSchema, fx.database]);
      expect(await liveTables(), k.label).toEqual(tables);
      observed.push({ label: k.label, digest: await schemaDigest(conn, fx.reportSchema, tables) });
    }

    const next = spawnCli(['sync', '--source', url, '--wait-lock', '60']);
    expect(await exitOf(next), next.stderrText()).toBe(0);
    const fresh = await schemaDigest(conn, fx.reportSchema, tables);
    for (const o of observed) {
      const isOld = JSON.stringify(o.digest) === JSON.stringify(old);
      const isNew = JSON.stringify(o.digest) === JSON.stringify(fresh);
      expect(isOld || isNew, `killed ${o.label}: a mix of old and new tables`).toBe(true);
    }
    expect(observed.some((o) => JSON.stringify(o.digest) === JSON.stringify(old))).toBe(true);
    const mirrors = tables.filter((t) => !t.startsWith('rpt_'));
    expect(await schemaDigest(conn, fx.reportSchema, mirrors)).toEqual(
      await schemaDigest(conn, fx.database, mirrors),
    );
    // No temporary table is left in either schema; the live set's generation marker and freshness stay.
    const leftovers = await conn.query<{ t: string }>(
      "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (?, ?) AND TABLE_NAME LIKE '\\_\\_dp\\_%' ORDER BY 1",
      [fx.reportSchema, `${fx.reportSchema}__dualpipe`],
    );
    expect(leftovers.map((r) => r.t)).toEqual(['__dp_freshness', '__dp_gen']);
    const runs = await recentRuns(conn, fx.reportSchema, 20);
    expect(runs[0]!.status).toBe('succeeded');
    expect(runs.some((r) => r.status === 'aborted')).toBe(true);
  });
});
