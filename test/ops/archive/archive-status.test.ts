/**
 * `status` shows the archive (#18): rows per archive table (against COUNT(*) by plain SQL), the
 * last archive run with its chunks and rows, and after a run killed between a chunk's copy and its
 * commit, the open chunk waiting for a rerun; the rerun closes it; an unarchive run with its chunks
 * and rows. `status --json` carries it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runArchive } from '../../../ops/archive/run-archive.js';
import { runUnarchive } from '../../../ops/archive/run-unarchive.js';
import { pipelineStatus } from '../../../ops/read-status.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify } from '../../../src/db/quote.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';

let fx: CrmFixture;
let conn: SqlConnection;
let cut: number;

beforeAll(async () => {
  fx = await createCrmFixture('arcstat', 0.01);
  conn = await fx.connector.connect();
  [{ cut }] = (await conn.query<{ cut: number }>('SELECT id AS cut FROM contacts ORDER BY id LIMIT 1 OFFSET 30')) as [{ cut: number }];
}, 240_000);

afterAll(async () => {
  await conn?.close();
  await fx?.drop();
});

describe('status with an archive', () => {
  it('has no archive before the first archive run', async () => {
    expect((await pipelineStatus(fx.pipeline)).archive).toBeNull();
  });

  it('shows rows per table, the run, and an open chunk after a killed run until the rerun', async () => {
    const first = await runArchive({ pipeline: fx.pipeline, where: `contacts.id < ${Number(cut) - 15}`, chunkRows: 5 });
    const killed = runArchive({
      pipeline: fx.pipeline,
      where: `contacts.id < ${Number(cut)}`,
      chunkRows: 5,
      afterCopy: (n) => {
        if (n === 2) throw new Error('killed');
      },
    });
    await expect(killed).rejects.toThrow('killed');
    const s = (await pipelineStatus(fx.pipeline)).archive!;
    expect(s.schema).toBe(`${fx.database}_archive`);
    for (const t of s.tables) {
      const [{ n }] = (await conn.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${qualify(s.schema, t.table)}`)) as [{ n: number }];
      expect(t.rows, t.table).toBe(Number(n));
    }
    expect(s.tables.map((t) => t.table)).not.toContain('_dualpipe_archive_journal');
    const done = s.runs.find((r) => r.runId === first.runId)!;
    expect(done).toMatchObject({ kind: 'archive', openChunks: 0 });
    expect(done.chunks).toBeGreaterThan(1);
    const [{ moved }] = (await conn.query<{ moved: number }>(
      `SELECT COUNT(*) AS moved FROM ${qualify(s.schema, '_dualpipe_archive_journal')} WHERE run_id = ? AND state = 'done'`,
      [first.runId],
    )) as [{ moved: number }];
    expect(done.chunks).toBe(Number(moved));
    expect(done.rows).toBe(first.tables.reduce((a, t) => a + t.rows, 0));
    expect(s.openChunks).toHaveLength(1);
    expect(s.openChunks[0]).toMatchObject({ kind: 'archive', chunkNo: 2 });

    const cli = await runCliCapture(['status', '--json', '--source', fx.url]);
    expect(cli.code, cli.stderr).toBe(0);
    expect((JSON.parse(cli.stdout) as { archive: { openChunks: unknown[] } }).archive.openChunks).toHaveLength(1);
    const text = await runCliCapture(['status', '--source', fx.url]);
    expect(text.stdout).toMatch(/1 chunk\(s\) left open by a killed run: run `dualpipe archive` again/);

    await runArchive({ pipeline: fx.pipeline, where: `contacts.id < ${Number(cut)}`, chunkRows: 5 });
    expect((await pipelineStatus(fx.pipeline)).archive!.openChunks).toEqual([]);
  }, 240_000);

  it('lists an unarchive run with its chunks and rows', async () => {
    const back = await runUnarchive({ pipeline: fx.pipeline, where: `contacts.id < ${Number(cut) - 25}`, chunkRows: 3 });
    expect(back.chunks).toBeGreaterThan(0);
    const run = (await pipelineStatus(fx.pipeline)).archive!.runs.find((r) => r.runId === back.runId);
    expect(run).toMatchObject({ kind: 'unarchive', chunks: back.chunks, rows: back.tables.reduce((a, t) => a + t.rows, 0), openChunks: 0 });
  }, 240_000);
});
