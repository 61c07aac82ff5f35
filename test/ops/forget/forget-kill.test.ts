/**
 * `runForget` killed after the source commit and before the publish (a test hook), with change
 * capture installed: the subject is gone from the source and the archive while the mirrors still
 * hold it; the rerun finds nothing left to erase, publishes the pending erasure by an incremental
 * sync and copies the ledger entry to the report side, ending exactly as an uninterrupted run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installChangeCapture } from '../../../ops/change-capture.js';
import { runForget } from '../../../ops/forget/run-forget.js';
import { internalSchemaOf } from '../../../src/catalog/internal-schema.js';
import { qualify } from '../../../src/db/quote.js';
import { expectForgotten, type ForgetWorld, forgetWorld } from './forget-world.js';

describe('runForget after a kill between the source commit and the publish', () => {
  let w: ForgetWorld;
  beforeAll(async () => {
    w = await forgetWorld('forget_kill', async (fx) => {
      await installChangeCapture(fx.pipeline);
    });
  }, 300_000);
  afterAll(async () => {
    await w?.conn.close();
    await w?.fx.drop();
  });

  it('the rerun publishes what the killed run committed', async () => {
    const dying = runForget({
      pipeline: w.fx.pipeline,
      where: w.where,
      reason: 'erasure request',
      key: w.key,
      chunkRows: 1,
      beforePublish: () => {
        throw new Error('killed');
      },
    });
    await expect(dying).rejects.toThrow('killed');
    const inSource = await w.conn.query(`SELECT id FROM contacts WHERE id IN (${w.live.join(', ')})`);
    expect(inSource).toEqual([]);
    // The mirrors still hold the subject; the report side has no ledger entry yet.
    expect(await w.conn.query(`SELECT id FROM ${qualify(w.fx.reportSchema, 'contacts')} WHERE id IN (${w.live.join(', ')})`)).toHaveLength(2);
    const entries = await w.conn.query<{ id: string }>(`SELECT erasure_id AS id FROM ${qualify(internalSchemaOf(w.fx.database), 'erasure_ledger')} ORDER BY erased_at`);
    // chunkRows 1: one entry per live contact, the archived rows riding in the first.
    expect(entries).toHaveLength(2);
    const again = await runForget({ pipeline: w.fx.pipeline, where: w.where, reason: 'erasure request', key: w.key });
    expect(again).toMatchObject({ subjects: 0, archivedSubjects: 0, ledgerEntries: [], nothingToForget: false, publish: { sync: 'incremental', entriesCopied: 2 } });
    await expectForgotten(w, expect);
    const copied = await w.conn.query<{ id: string }>(`SELECT erasure_id AS id FROM ${qualify(internalSchemaOf(w.fx.reportSchema), 'erasure_ledger')} ORDER BY erased_at`);
    expect(copied.map((r) => r.id).sort()).toEqual(entries.map((r) => r.id).sort());
    const third = await runForget({ pipeline: w.fx.pipeline, where: w.where, reason: 'erasure request', key: w.key });
    expect(third).toMatchObject({ nothingToForget: true, publish: { sync: 'none' } });
  }, 300_000);
});
