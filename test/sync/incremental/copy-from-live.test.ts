/**
 * The shadow set catches up with the journal by copying from the live set (copy-from-live.ts):
 * journal keys that no change of the run itself touches come from the live mirrors, and report
 * rows that no own change touches from the live reports; everything else is read from the
 * snapshot and recomputed. Changes here overlap from one run to the next (the same key changed
 * again, a key deleted and inserted again, a key changed only by case, a report row touched by a
 * journal key of one mirror and an own key of another, a report row found through a `@changes`
 * query that reads the report itself), and after every run the mirrors must equal
 * the source and the reports those built from scratch (independent digests, incremental-fixture.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { runIncrementalSync } from '../../../sync/incremental/run-incremental.js';
import type { IncrementalResult } from '../../../sync/incremental/run-incremental.js';
import { createIncrementalFixture, type IncrementalFixture } from '../../helpers/incremental-fixture.js';

const fromLive = (r: IncrementalResult) => (r.changes ?? []).reduce((a, c) => a + c.rowsFromLive, 0);

describe.each(['triggers', 'binlog'] as const)('catching the shadow set up from the live set (%s capture)', (method) => {
  let f: IncrementalFixture;
  let conn: SqlConnection;
  let q: IncrementalFixture['q'];

  beforeAll(async () => {
    f = await createIncrementalFixture(`cfl_${method.slice(0, 3)}`, method);
    ({ conn, q } = f);
    expect((await runIncrementalSync(f.options)).cost?.primedShadow).toBe(true);
  });

  afterAll(async () => {
    await f?.close();
  });

  /** Contacts with an organization and an interaction, none deleted by the test. */
  async function contacts(n: number): Promise<number[]> {
    const rows = await conn.query<{ id: number }>(
      `SELECT c.id FROM ${q('contacts')} c WHERE c.organization_id IS NOT NULL AND EXISTS (SELECT 1 FROM ${q('interactions')} i WHERE i.contact_id = c.id) ORDER BY c.id LIMIT ${n}`,
    );
    expect(rows).toHaveLength(n);
    return rows.map((r) => Number(r.id));
  }
  const interaction = (contact: number, subject: string) =>
    conn.execute(`INSERT INTO ${q('interactions')} (contact_id, channel, direction, subject, body, occurred_at) VALUES (?, 'email', 'inbound', ?, 'copy test', NOW(6))`, [contact, subject]);

  it('copies what only the journal changed, recomputes what this run changed too, and stays exact', async () => {
    const [x, y, z, w] = await contacts(4);
    const orgs = await conn.query<{ id: number }>(`SELECT id FROM ${q('organizations')} WHERE id NOT IN (SELECT organization_id FROM ${q('contacts')} WHERE id = ?) ORDER BY id LIMIT 2`, [w]);
    // Run 1: the journal of run 2.
    await conn.execute(`UPDATE ${q('contacts')} SET first_name = 'Journal' WHERE id = ?`, [x]);
    await interaction(y!, 'journal only');
    await conn.execute(`UPDATE ${q('organizations')} SET name = CONCAT(name, ' (renamed)') WHERE id = (SELECT organization_id FROM ${q('contacts')} WHERE id = ?)`, [w]);
    await conn.execute(`DELETE FROM ${q('contacts')} WHERE id = ?`, [z]);
    await conn.execute(`UPDATE ${q('codes')} SET code = 'ABC' WHERE code = 'abc'`);
    await conn.execute(`DELETE FROM ${q('codes')} WHERE code = 'zzz'`);
    // A new owner's first opportunity: a new (stage, owner) row of rpt_pipeline_by_stage_owner.
    const owner = (await conn.execute(`INSERT INTO ${q('users')} (email, full_name) VALUES ('copy-test@example.com', 'First Name')`)).insertId;
    const stage = (await conn.query<{ id: number }>(`SELECT MIN(id) AS id FROM ${q('pipeline_stages')}`))[0]!.id;
    await conn.execute(`INSERT INTO ${q('opportunities')} (contact_id, owner_user_id, stage_id, name, amount, expected_close_date) VALUES (?, ?, ?, 'copy test', 10, '2027-01-01')`, [w, owner, stage]);
    const r1 = await f.incremental();
    expect(fromLive(r1), 'the shadow set was a copy of the live set: nothing to catch up').toBe(0);
    await f.expectExact('run 1');

    // Run 2: its own changes overlap the journal's keys.
    await conn.execute(`UPDATE ${q('contacts')} SET first_name = 'Own' WHERE id = ?`, [x]); // the same key again
    await interaction(x!, 'own, same contact'); // a report row of a journal key, touched through another mirror
    await conn.execute(`UPDATE ${q('contacts')} SET organization_id = ? WHERE id = ?`, [orgs[0]!.id, w]); // re-parented away from the renamed organization
    await conn.execute(`UPDATE ${q('codes')} SET code = 'Abc' WHERE code = 'ABC'`); // a key changed by case only, twice
    await conn.execute(`INSERT INTO ${q('codes')} VALUES ('zzz', 30)`); // deleted by run 1, back now
    // Found through `@changes users: … FROM {{target}}`: the report row exists in the live set only.
    await conn.execute(`UPDATE ${q('users')} SET full_name = 'Renamed' WHERE id = ?`, [owner]);
    const r2 = await f.incremental();
    expect(fromLive(r2), 'journal rows copied from the live set').toBeGreaterThan(0);
    expect(r2.cost!.reportKeysFromLive, 'report rows copied from the live set').toBeGreaterThan(0);
    expect(r2.cost!.reportKeys).toBeGreaterThan(r2.cost!.reportKeysFromLive);
    const interactions = r2.changes!.find((c) => c.table === 'interactions')!;
    expect(interactions.rowsFromLive, "run 1's interaction comes from the live set").toBeGreaterThanOrEqual(1);
    await f.expectExact('run 2');

    // Run 3: nothing new; every journal row and touched report row comes from the live set.
    const r3 = await f.incremental();
    expect(r3.cost!.changeLogRows).toBe(0);
    expect(fromLive(r3)).toBe(r3.changes!.reduce((a, c) => a + c.rowsWritten, 0));
    expect(fromLive(r3)).toBeGreaterThan(0);
    await f.expectExact('run 3', { fullSync: true });
  });
});
