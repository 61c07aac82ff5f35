/**
 * Every change a restore makes to the source is in the run history: a merge, a rollback and the
 * drop of the rollback window are recorded as `restore` runs with their strategy, a failed merge
 * as failed, and a dry run not at all.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../backup/dump/run-backup.js';
import type { SqlConnection } from '../../src/db/connection.js';
import { runSync } from '../../sync/full/run-sync.js';
import { type CrmFixture, createCrmFixture } from '../helpers/crm-fixture.js';
import { runCliCapture } from '../helpers/run-cli-capture.js';

let fx: CrmFixture;
let conn: SqlConnection;
let parent: string;
let dir: string;

type HistoryRow = {
  id: number;
  strategy: string | null;
  status: string;
  error: string | null;
  details: string | null;
};

async function restoreRuns(afterId = 0): Promise<HistoryRow[]> {
  return conn.query<HistoryRow>(
    `SELECT id, strategy, status, error, details FROM \`${fx.reportSchema}__dualpipe\`._dualpipe_runs WHERE kind = 'restore' AND id > ? ORDER BY id`,
    [afterId],
  );
}

async function lastId(): Promise<number> {
  const rows = await conn.query<{ id: number | null }>(`SELECT MAX(id) AS id FROM \`${fx.reportSchema}__dualpipe\`._dualpipe_runs`);
  return Number(rows[0]?.id ?? 0);
}

beforeAll(async () => {
  fx = await createCrmFixture('recrest', 0.01);
  conn = await fx.connector.connect();
  await runSync({ pipeline: fx.pipeline });
  parent = mkdtempSync(join(tmpdir(), 'dp-recrest-'));
  dir = (await runBackup({ pipeline: fx.pipeline, to: parent })).dir;
});

afterAll(async () => {
  await conn.close();
  await fx.drop();
  rmSync(parent, { recursive: true, force: true });
});

describe('restore actions in the run history', () => {
  it('records a merge, a failed merge, a rollback and a drop-previous; not a dry run', async () => {
    const before = await lastId();
    const cli = (...args: string[]) => runCliCapture(['restore', '--source', fx.url, ...args]);
    const id = Number((await conn.query<{ id: number }>(`SELECT MIN(id) AS id FROM \`${fx.database}\`.contacts`))[0]!.id);
    await conn.execute(`DELETE FROM \`${fx.database}\`.contacts WHERE id = ?`, [id]);

    const dry = await cli('--from', dir, '--mode', 'merge', '--where', `contacts.id = ${id}`, '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(await restoreRuns(before)).toEqual([]);

    const merged = await cli('--from', dir, '--mode', 'merge', '--where', `contacts.id = ${id}`);
    expect(merged.code, merged.stderr).toBe(0);
    const bad = await cli('--from', dir, '--mode', 'merge', '--where', 'no_such_table.id = 1');
    expect(bad.code).not.toBe(0);
    const replaced = await cli('--from', dir, '--yes');
    expect(replaced.code, replaced.stderr).toBe(0);
    const rolled = await cli('--rollback', '--yes');
    expect(rolled.code, rolled.stderr).toBe(0);
    const dropped = await cli('--drop-previous');
    expect(dropped.code, dropped.stderr).toBe(0);

    const runs = await restoreRuns(before);
    expect(runs.map((r) => [r.strategy, r.status])).toEqual([
      ['merge', 'succeeded'],
      ['merge', 'failed'],
      [null, 'succeeded'],
      ['rollback', 'succeeded'],
      ['drop-previous', 'succeeded'],
    ]);
    expect(JSON.parse(runs[0]!.details!)).toMatchObject({ inserted: expect.any(Number), conflicts: 0 });
    expect(runs[1]!.error).toMatch(/no_such_table/);
    // The contact is back: the merge put it back, the replace restore kept it, the rollback restored the merged state.
    expect((await conn.query(`SELECT id FROM \`${fx.database}\`.contacts WHERE id = ?`, [id])).length).toBe(1);
  });
});
