/**
 * Incremental syncs under concurrent writers (test/helpers/marker-writers.ts): after every run
 * the mirrors hold exactly the writer rows implied by their marker values, so any mix of two
 * points in time, a late commit skipped or a cascade missed shows up. With each capture method:
 * under binlog capture the writers commit between every run's snapshot and the binlog position it
 * reads up to, and between a published set's snapshot and its recorded resume position.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { installCapture } from '../../../sync/capture/capture.js';
import { installChangeCapture } from '../../../ops/change-capture.js';
import { runIncrementalSync } from '../../../sync/incremental/run-incremental.js';
import type { SyncOptions } from '../../../sync/full/run-sync.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { checkMarkerMirror, createMarkers, markerWriter, originalLeadScores, WRITERS } from '../../helpers/marker-writers.js';
import { schemaDigest } from '../../helpers/table-digest.js';

describe.each(['triggers', 'binlog'] as const)('incremental sync under concurrent writers (%s capture)', (method) => {
  let fx: CrmFixture;
  let conn: SqlConnection;

  beforeAll(async () => {
    fx = await createCrmFixture(`icons_${method.slice(0, 3)}`, 0.02);
    conn = await fx.connector.connect();
    await createMarkers(conn, fx.database);
    if (method === 'triggers') await installCapture(conn, fx.database);
    else await installChangeCapture(fx.pipeline, { method });
  });

  afterAll(async () => {
    await conn.close();
    await fx.drop();
  });

  it('the mirror set equals one snapshot of the source after every run', async () => {
    const original = await originalLeadScores(conn, fx.database);
    const options: SyncOptions = { pipeline: fx.pipeline };
    await runIncrementalSync(options); // full
    await runIncrementalSync(options); // primes the shadow set
    const stop = { done: false };
    const writers = WRITERS.map((w) => markerWriter(fx, w, stop));
    await new Promise((r) => setTimeout(r, 200));
    const seen: number[][] = [];
    let incrementalRuns = 0;
    let batchesRepaired = 0;
    for (let run = 0; run < 5; run++) {
      const r = await runIncrementalSync(options);
      if (!r.fullSyncReason) incrementalRuns++;
      batchesRepaired += r.cost?.batchesRepaired ?? 0;
      seen.push(await checkMarkerMirror(conn, fx, original, { reports: true }));
    }
    stop.done = true;
    const commits = await Promise.all(writers);
    expect(commits.every((n) => n.commits > 20)).toBe(true);
    expect(incrementalRuns).toBe(5);
    // Writers committed after the snapshots, so server-side copies met newer rows and were redone.
    expect(batchesRepaired).toBeGreaterThan(0);
    // The markers moved between runs: the runs really caught the writers mid-flight.
    expect(new Set(seen.map((s) => s.join(','))).size).toBeGreaterThan(2);
    // Quiet again: one more run makes the mirrors equal the source exactly.
    await runIncrementalSync(options);
    const tables = [...fx.tables, 'sync_marker'];
    expect(await schemaDigest(conn, fx.reportSchema, tables)).toEqual(await schemaDigest(conn, fx.database, tables));
  });
});
