/**
 * Trigger capture: a full sync keeps the set it replaces as the shadow set, with the change-log keys
 * it consumed (and their cascades, derived against that set) journaled under its run id, so the
 * first incremental run after it catches the set up from the journal instead of copying every live
 * table. Checked by the fixture's independent digests after each step, including the runs after
 * (the caught-up set becomes the live one, then the shadow again), a TRUNCATE between the two
 * syncs, changes committed while the full sync runs; not kept after capture is installed again or
 * a source definition changed (a dropped foreign key, found in review).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSync } from '../../../sync/full/run-sync.js';
import { installCapture } from '../../../sync/capture/capture.js';
import { qualify } from '../../../src/db/quote.js';
import { internalSchemaOf } from '../../../src/catalog/internal-schema.js';
import { JOURNAL_TABLE } from '../../../sync/shadow/journal.js';
import { GENERATION_TABLE, readGeneration, shadowName } from '../../../sync/shadow/shadow-set.js';
import { createIncrementalFixture, type IncrementalFixture } from '../../helpers/incremental-fixture.js';

let f: IncrementalFixture;

beforeAll(async () => {
  f = await createIncrementalFixture('tcu_triggers', 'triggers');
});

afterAll(async () => {
  await f?.close();
});

const changeSome = (tag: string, n: number) => f.changeSome(tag, n);

const shadowMarker = () => readGeneration(f.conn, f.fx.reportSchema, shadowName(GENERATION_TABLE));
const liveMarker = () => readGeneration(f.conn, f.fx.reportSchema, GENERATION_TABLE);
async function journaled(runId: number): Promise<number> {
  const rows = await f.conn.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${qualify(internalSchemaOf(f.fx.reportSchema), JOURNAL_TABLE)} WHERE run_id = ?`, [runId]);
  return Number(rows[0]!.n);
}

describe('the first incremental run after a full sync (trigger capture)', () => {
  it('keeps the replaced set, journals its catch-up, and the next run builds on it instead of copying; exact throughout', async () => {
    await changeSome('a', 0);
    expect((await f.incremental()).cost?.primedShadow, 'no shadow set after the very first full sync').toBe(true);
    const before = (await liveMarker())!.runId;
    await changeSome('b', 1);
    // Changes committed after the full sync's snapshot are the next run's own keys.
    const full = await runSync({ ...f.options, afterPublish: () => changeSome('during', 9) });
    const kept = await shadowMarker();
    expect(kept, 'the replaced set is the shadow set, one run behind').toMatchObject({ runId: before, dirty: false });
    expect(kept?.behindFull, 'an ordinary shadow set: the journal catches it up').toBeUndefined();
    expect(await journaled(full.runId!), 'the full sync journals the keys it consumed').toBeGreaterThan(0);
    await changeSome('c', 2);
    const first = await f.incremental();
    expect(first.cost?.primedShadow, 'the kept set was caught up, not copied').toBe(false);
    expect((first.changes ?? []).reduce((a, c) => a + c.rowsFromLive, 0), 'the journaled keys come from the live set').toBeGreaterThan(0);
    await f.expectExact('first incremental after the full sync');
    for (const [tag, n] of [['d', 3], ['e', 4]] as const) {
      await changeSome(tag, n);
      expect((await f.incremental()).cost?.primedShadow).toBe(false);
      await f.expectExact(`incremental ${tag}`, { fullSync: tag === 'e' });
    }
  });

  it('a table emptied between the syncs (TRUNCATE, which no trigger sees) is caught up whole', async () => {
    await f.conn.execute(`TRUNCATE TABLE ${f.q('codes')}`);
    await f.conn.execute(`INSERT INTO ${f.q('codes')} (code, n) VALUES ('after-truncate', 1)`);
    await changeSome('f', 5);
    await runSync(f.options);
    expect((await shadowMarker())?.dirty).toBe(false);
    await changeSome('g', 6);
    expect((await f.incremental()).cost?.primedShadow).toBe(false);
    await f.expectExact('after a TRUNCATE between the syncs');
    await changeSome('h', 7);
    await f.incremental();
    await f.expectExact('the run after');
  });

  it('does not keep the set when capture was installed again since it: the next run copies afresh', async () => {
    await installCapture(f.conn, f.fx.database);
    await changeSome('i', 8);
    await runSync(f.options);
    expect(await shadowMarker()).toBeNull();
    await changeSome('j', 10);
    expect((await f.incremental()).cost?.primedShadow).toBe(true);
    await f.expectExact('after capture installed again');
  });

  it('does not keep the set when a source definition changed since it (a dropped foreign key hides its cascades)', async () => {
    await changeSome('k', 11);
    await f.incremental();
    expect((await shadowMarker())?.dirty).toBe(false);
    // A cascade no trigger logs, then the foreign key that made it dropped: neither the triggers
    // nor the table id change, but the log's keys no longer say which rows the cascade took.
    await f.conn.execute(`DELETE FROM ${f.q('contacts')} WHERE id = ?`, [await f.contactWithTree()]);
    const fk = await f.conn.query<{ name: string }>(
      `SELECT CONSTRAINT_NAME AS name FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = 'transactions' AND REFERENCED_TABLE_NAME = 'contacts'`,
      [f.fx.database],
    );
    await f.conn.execute(`ALTER TABLE ${f.q('transactions')} DROP FOREIGN KEY \`${fk[0]!.name}\``);
    await runSync(f.options);
    expect(await shadowMarker()).toBeNull();
    await changeSome('l', 12);
    expect((await f.incremental()).cost?.primedShadow).toBe(true);
    await f.expectExact('after a foreign key was dropped');
  });
});
