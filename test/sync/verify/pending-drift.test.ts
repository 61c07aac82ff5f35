/**
 * Verify beside a writer, with change capture installed (issue #13): the rows the source changed
 * since the last sync are pending, not drift, so a scheduled verify does not cry wolf; a mirror row
 * changed behind dualpipe's back is still drift, named by its key, exit 3.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify } from '../../../src/db/quote.js';
import { installCapture } from '../../../sync/capture/capture.js';
import { silentLogger } from '../../../src/log/logger.js';
import { scheduledVerify } from '../../../ops/schedule-jobs.js';
import { pipelineStatus } from '../../../ops/read-status.js';
import { runIncrementalSync } from '../../../sync/incremental/run-incremental.js';
import { verifyMirrors } from '../../../sync/verify/verify.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { createMarkers, markerWriter, WRITERS } from '../../helpers/marker-writers.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';
import { testServerUrl } from '../../helpers/test-database.js';

let fx: CrmFixture;
let conn: SqlConnection;

beforeAll(async () => {
  fx = await createCrmFixture('vpend', 0.02);
  conn = await fx.connector.connect();
  await createMarkers(conn, fx.database);
  await installCapture(conn, fx.database);
});

afterAll(async () => {
  await conn.close();
  await fx.drop();
});

/** A seeded contact with transactions and items, outside the writers' rows (ids 1..80 and 10M+). */
async function contactWithItems(): Promise<{ id: number; transactions: number; items: number }> {
  const s = fx.database;
  const rows = await conn.query<{ id: number; t: number; i: number }>(
    `SELECT c.id AS id, COUNT(DISTINCT t.id) AS t, COUNT(ti.id) AS i FROM ${qualify(s, 'contacts')} c
       JOIN ${qualify(s, 'transactions')} t ON t.contact_id = c.id JOIN ${qualify(s, 'transaction_items')} ti ON ti.transaction_id = t.id
      WHERE c.id > 100 AND c.id < 1000000 GROUP BY c.id ORDER BY c.id LIMIT 1`,
  );
  const r = rows[0]!;
  return { id: Number(r.id), transactions: Number(r.t), items: Number(r.i) };
}

describe('verify with change capture beside a writer', () => {
  it('reports changes since the last sync as pending, never as drift; a corrupted mirror row is drift by key, exit 3', async () => {
    await runIncrementalSync({ pipeline: fx.pipeline }); // full
    // A cascade: deleting a contact deletes its transactions and their items without firing their
    // triggers; only the contact's key is logged, the children must still count as pending.
    const cascaded = await contactWithItems();
    expect(cascaded.items).toBeGreaterThan(0);
    await conn.execute(`DELETE FROM ${qualify(fx.database, 'contacts')} WHERE id = ?`, [cascaded.id]);

    const stop = { done: false };
    const writers = WRITERS.map((w) => markerWriter(fx, w, stop));
    let pendingSeen = 0;
    try {
      await new Promise((r) => setTimeout(r, 200));
      for (let run = 0; run < 4; run++) {
        const r = await verifyMirrors({ pipeline: fx.pipeline });
        expect(r.mode).toBe('capture');
        expect(r.driftKeys, JSON.stringify(r.tables.filter((t) => t.driftKeys))).toBe(0);
        expect(r.ok).toBe(true);
        const items = r.tables.find((t) => t.table === 'transaction_items')!;
        expect(items.pendingKeys ?? 0).toBeGreaterThanOrEqual(cascaded.items);
        expect(r.tables.find((t) => t.table === 'transactions')!.pendingKeys ?? 0).toBeGreaterThanOrEqual(cascaded.transactions);
        pendingSeen = Math.max(pendingSeen, r.pendingKeys);
        if (run === 1) await runIncrementalSync({ pipeline: fx.pipeline }); // the cascade is applied; the writer keeps going
        if (run === 1) await conn.execute(`DELETE FROM ${qualify(fx.database, 'contacts')} WHERE id = ?`, [(await contactWithItems()).id]);
      }
      // The scheduled verify job with capture installed: the classifying verify, no false alarm.
      await scheduledVerify({ pipeline: fx.pipeline, logger: silentLogger });
      // Through the CLI: exit 0, the split in --json.
      const cli = await runCliCapture(['verify', '--source', testServerUrl(fx.database), '--json']);
      expect(cli.code, cli.stderr).toBe(0);
      const json = JSON.parse(cli.stdout) as { ok: boolean; mode: string; pendingKeys: number; driftKeys: number };
      expect(json).toMatchObject({ ok: true, mode: 'capture', driftKeys: 0 });
      expect(json.pendingKeys).toBeGreaterThan(0);

      // Behind dualpipe's back: a mirror row the writers never touch.
      const [victim] = await conn.query<{ id: number }>(
        `SELECT id FROM ${qualify(fx.reportSchema, 'contacts')} WHERE id > 100 AND id < 1000000 ORDER BY id DESC LIMIT 1`,
      );
      await conn.execute(`UPDATE ${qualify(fx.reportSchema, 'contacts')} SET first_name = 'corrupted' WHERE id = ?`, [victim!.id]);
      const bad = await runCliCapture(['verify', '--source', testServerUrl(fx.database), '--json']);
      expect(bad.code).toBe(3);
      const result = JSON.parse(bad.stdout) as { ok: boolean; driftKeys: number; tables: { table: string; pendingKeys?: number; driftKeys?: number; driftSample?: string[] }[] };
      expect(result.ok).toBe(false);
      expect(result.driftKeys).toBe(1);
      const contacts = result.tables.find((t) => t.table === 'contacts')!;
      expect(contacts.driftSample).toEqual([JSON.stringify([String(victim!.id)])]);
      expect(result.tables.filter((t) => t.driftKeys).map((t) => t.table)).toEqual(['contacts']);
      // status names the drifted table only, not the tables whose differences are all pending.
      expect(result.tables.filter((t) => t.table !== 'contacts' && (t.pendingKeys ?? 0) > 0).length).toBeGreaterThan(0);
      expect((await pipelineStatus(fx.pipeline)).lastVerify).toMatchObject({ ok: false, drift: ['contacts'] });
    } finally {
      stop.done = true;
      const commits = await Promise.all(writers);
      expect(commits.every((n) => n.commits > 5)).toBe(true);
    }
    expect(pendingSeen).toBeGreaterThan(0);
  });
});
