/**
 * Binlog capture: a full sync keeps the set it replaces as the shadow set (marked behind a full
 * sync), and the first incremental run after it catches that set up from the binlog instead of
 * copying every live table. Checked by the fixture's independent digests after each step,
 * including the runs after (the caught-up set becomes the live one, then the shadow again), and
 * the cases where the old set must not be built on: a DDL change, and a binlog range the run
 * cannot read (purged), both of which copy the shadow set afresh and stay exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSync } from '../../../sync/full/run-sync.js';
import { qualify } from '../../../src/db/quote.js';
import { internalSchemaOf } from '../../../src/catalog/internal-schema.js';
import { readGeneration, shadowName, GENERATION_TABLE } from '../../../sync/shadow/shadow-set.js';
import { createIncrementalFixture, type IncrementalFixture } from '../../helpers/incremental-fixture.js';

let f: IncrementalFixture;

beforeAll(async () => {
  f = await createIncrementalFixture('faf_binlog', 'binlog');
});

afterAll(async () => {
  await f?.close();
});

const changeSome = (tag: string, n: number) => f.changeSome(tag, n);

const shadowMarker = () => readGeneration(f.conn, f.fx.reportSchema, shadowName(GENERATION_TABLE));

describe('the first incremental run after a full sync (binlog capture)', () => {
  it('catches the replaced set up from the binlog instead of copying every table, and stays exact after', async () => {
    await changeSome('a', 0);
    expect((await f.incremental()).cost?.primedShadow, 'no shadow set after the very first full sync').toBe(true);
    await changeSome('b', 1);
    await runSync(f.options);
    expect(await shadowMarker()).toMatchObject({ behindFull: true, dirty: false });
    await f.expectExact('after the full sync');
    await changeSome('c', 2);
    const first = await f.incremental();
    expect(first.cost?.primedShadow, 'the kept set was caught up, not copied').toBe(false);
    await f.expectExact('first incremental after the full sync');
    // The next runs swap the caught-up set out and in again: both must stay exact.
    for (const [tag, n] of [['d', 3], ['e', 4]] as const) {
      await changeSome(tag, n);
      const r = await f.incremental();
      expect(r.cost?.primedShadow).toBe(false);
      await f.expectExact(`incremental ${tag}`, { fullSync: tag === 'e' });
    }
    // The live set resumes past what its run read, not at a binlog file's start (MySQL: the run moves
    // the position its snapshot noted, capture-snapshot.ts; MariaDB: the snapshot's own position).
    const live = await readGeneration(f.conn, f.fx.reportSchema, GENERATION_TABLE);
    expect((JSON.parse(live!.binlog!) as { offset: number }).offset).toBeGreaterThan(4);
  });

  it('does not keep a set whose tables changed shape: a DDL change makes the next run copy afresh', async () => {
    await f.conn.execute(`ALTER TABLE ${f.q('codes')} ADD COLUMN note VARCHAR(10) NULL`);
    await changeSome('f', 5);
    await runSync(f.options);
    expect(await shadowMarker()).toBeNull();
    await changeSome('g', 6);
    expect((await f.incremental()).cost?.primedShadow).toBe(true);
    await f.expectExact('after a DDL change');
  });

  it('copies afresh when the kept set\'s binlog range cannot be read (purged), and stays exact', async () => {
    await changeSome('h', 7);
    await runSync(f.options);
    expect(await shadowMarker()).toMatchObject({ behindFull: true });
    const marker = qualify(internalSchemaOf(f.fx.reportSchema), shadowName(GENERATION_TABLE));
    // A position in a binlog file no longer there (a purge), then one past the binlog's end (a reset).
    for (const [position, tag, n] of [['{"file":"binlog.000000","offset":4}', 'i', 8], ['{"file":"binlog.999990","offset":4}', 'j', 9]] as const) {
      await f.conn.execute(`UPDATE ${marker} SET binlog = ?`, [position]);
      await changeSome(tag, n);
      expect((await f.incremental()).cost?.primedShadow, position).toBe(true);
      await f.expectExact(`after an unreadable range (${position})`);
      await runSync(f.options);
      expect(await shadowMarker()).toMatchObject({ behindFull: true });
    }
  });
});
