/**
 * The old layout (dualpipe's bookkeeping in the report schema itself) is moved into the internal
 * schema by the next sync: the shadow set, markers and journal still agree (the run stays
 * incremental), the history keeps its runs, and the report schema is left with mirrors, reports
 * and the dualpipe_freshness view only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../../backup/dump/run-backup.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify, quoteId } from '../../../src/db/quote.js';
import { internalSchemaOf } from '../../../src/catalog/internal-schema.js';
import { recentRuns } from '../../../src/history/run-history.js';
import { installCapture } from '../../../sync/capture/capture.js';
import { runIncrementalSync } from '../../../sync/incremental/run-incremental.js';
import { isOldLayoutTable } from '../../../sync/shadow/move-to-internal.js';
import { readStatus } from '../../../ops/read-status.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { schemaDigest } from '../../helpers/table-digest.js';

let fx: CrmFixture;
let conn: SqlConnection;
const tablesOf = async (schema: string) =>
  (await conn.query<{ t: string }>('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY t', [schema])).map((r) => r.t);

beforeAll(async () => {
  fx = await createCrmFixture('layout', 0.01);
  conn = await fx.connector.connect();
  await installCapture(conn, fx.database);
  await runIncrementalSync({ pipeline: fx.pipeline });
  await conn.execute(`UPDATE ${qualify(fx.database, 'contacts')} SET first_name = 'Layout' WHERE id = 2`);
  const second = await runIncrementalSync({ pipeline: fx.pipeline });
  expect(second.fullSyncReason).toBeUndefined();
});

afterAll(async () => {
  await conn.close();
  await fx.drop();
});

describe('the old layout', () => {
  it('is moved into the internal schema by the next sync, with its history and shadow set', async () => {
    const internal = internalSchemaOf(fx.reportSchema);
    // Today's layout back to the old one: every bookkeeping table into the report schema, under its own name.
    const own = (await tablesOf(internal)).filter((t) => t !== '__dp_freshness');
    expect(own).toEqual(expect.arrayContaining(['_dualpipe_runs', '_dualpipe_sync_keys', '__dp_gen', '__dp_shadow___dp_gen', '__dp_shadow_contacts']));
    await conn.execute(`RENAME TABLE ${own.map((t) => `${qualify(internal, t)} TO ${qualify(fx.reportSchema, t)}`).join(', ')}`);
    await conn.execute(`DROP VIEW ${qualify(fx.reportSchema, 'dualpipe_freshness')}`);
    await conn.execute(`DROP DATABASE ${quoteId(internal)}`);
    const oldIds = (await conn.query<{ id: number }>(`SELECT id FROM ${qualify(fx.reportSchema, '_dualpipe_runs')} ORDER BY id`)).map((r) => Number(r.id));
    expect(oldIds.length).toBe(2);
    // Between the upgrade and that sync, status and a backup still read the old history.
    expect((await readStatus(conn, fx.reportSchema, new Date())).recentSyncs.map((x) => x.id).sort((a, b) => a - b)).toEqual(oldIds);
    const parent = mkdtempSync(join(tmpdir(), 'dp-layout-'));
    // The backup's own run goes into the new history; reads still come from the old one until the sync merges them.
    let seen: number;
    try {
      await runBackup({ pipeline: fx.pipeline, to: parent });
      seen = (await recentRuns(conn, fx.reportSchema, 50)).length;
      const inInternal = await conn.query<{ kind: string; status: string }>(`SELECT kind, status FROM ${qualify(internal, '_dualpipe_runs')}`);
      expect(inInternal).toEqual([{ kind: 'backup', status: 'succeeded' }]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
    expect(seen).toBe(2);

    await conn.execute(`UPDATE ${qualify(fx.database, 'contacts')} SET first_name = 'Moved' WHERE id = 3`);
    const r = await runIncrementalSync({ pipeline: fx.pipeline });
    // The moved shadow set, markers and journal still agree: no fallback to a full sync.
    expect(r.fullSyncReason).toBeUndefined();
    expect(r.incremental).toBe(true);

    expect((await tablesOf(fx.reportSchema)).filter(isOldLayoutTable)).toEqual([]);
    expect((await tablesOf(fx.reportSchema)).filter((t) => t.startsWith('_'))).toEqual([]);
    const runs = await recentRuns(conn, fx.reportSchema, 50);
    // The old runs keep their ids; the backup recorded meanwhile is appended after them.
    expect(runs.filter((x) => x.kind === 'sync').map((x) => x.id).sort((a, b) => a - b)).toEqual([...oldIds, r.runId]);
    expect(runs.filter((x) => x.kind === 'backup').map((x) => x.status)).toEqual(['succeeded']);
    const status = await readStatus(conn, fx.reportSchema, new Date());
    expect(status.recentSyncs.map((x) => x.id).sort((a, b) => a - b)).toEqual([...oldIds, r.runId]);
    const tables = [...fx.tables];
    expect(await schemaDigest(conn, fx.reportSchema, tables)).toEqual(await schemaDigest(conn, fx.database, tables));
    const fresh = await conn.query<{ run_id: number }>(`SELECT DISTINCT run_id FROM ${qualify(fx.reportSchema, 'dualpipe_freshness')}`);
    expect(fresh.map((f) => Number(f.run_id))).toEqual([r.runId]);
  });
});
