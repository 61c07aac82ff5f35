/**
 * Consistency under concurrent writers (test/helpers/marker-writers.ts): the mirrors must hold
 * exactly the writer rows implied by the marker values they hold, after every sync.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { runSync, type SyncOptions } from '../../../sync/full/run-sync.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { checkMarkerMirror, createMarkers, markerWriter, originalLeadScores, WRITERS } from '../../helpers/marker-writers.js';

let fx: CrmFixture;
let conn: SqlConnection;

beforeAll(async () => {
  fx = await createCrmFixture('consistency', 0.02);
  conn = await fx.connector.connect();
  await createMarkers(conn, fx.database);
});

afterAll(async () => {
  await conn.close();
  await fx.drop();
});

describe('sync under concurrent writers', () => {
  it('mirrors equal one snapshot of the source while writers insert, update and cascade-delete', async () => {
    const original = await originalLeadScores(conn, fx.database);
    const options: SyncOptions = {
      pipeline: fx.pipeline,
      chunkRows: 200,
    };
    const stop = { done: false };
    const writers = WRITERS.map((w) => markerWriter(fx, w, stop));
    await new Promise((r) => setTimeout(r, 300));
    const markersSeen: number[][] = [];
    let repairedChunks = 0;
    for (let run = 0; run < 3; run++) {
      const result = await runSync(options);
      repairedChunks += result.tables.reduce((a, t) => a + t.chunksRepaired, 0);
      markersSeen.push(await checkMarkerMirror(conn, fx, original));
    }
    await runSync({ ...options, pipeline: { ...options.pipeline, sameServer: false } });
    markersSeen.push(await checkMarkerMirror(conn, fx, original));
    stop.done = true;
    const stats = await Promise.all(writers);
    // The writers really ran during the syncs, and the syncs caught them mid-flight.
    expect(stats.every((s) => s.commits > 20)).toBe(true);
    expect(markersSeen.some((m) => m.some((v) => v > 0))).toBe(true);
    // Writers committed during the copies, so the repair pass had work to do.
    expect(repairedChunks).toBeGreaterThan(0);
    // Writers are never blocked for long (generous bound for a loaded CI machine; the bench measures it properly).
    expect(Math.max(...stats.map((s) => s.worstMs))).toBeLessThan(2_000);
  });
});
