/**
 * The package entry is enough: everything the CLI does, done through `api/index.ts` alone (no
 * other product module is imported here), against the real test server. One pipeline from a
 * resolved configuration; migrate, seed, sync, change capture and an incremental sync, verify,
 * backup, restore into another schema, a merge that brings a deleted contact back, status, check
 * and doctor, each judged by what it did.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import * as dualpipe from '../../api/index.js';

const schema = `t_api_${randomBytes(3).toString('hex')}`;
const config = dualpipe.resolveConfig({
  flags: { source: `${inject('testServerUrl').replace(/\/$/, '')}/${schema}` },
  env: {},
  file: {},
  embedded: () => undefined,
});
const pipeline = dualpipe.createPipeline(config);
const admin = dualpipe.createConnector({ ...config.source, database: undefined });
let conn: dualpipe.SqlConnection;
let folder: string;

/** Row counts of every base table of a schema. */
async function counts(db: string): Promise<Record<string, number>> {
  const tables = await conn.query<{ t: string }>(
    "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME NOT LIKE '\\_\\_dp\\_%' ORDER BY 1",
    [db],
  );
  const out: Record<string, number> = {};
  for (const { t } of tables) out[t] = Number((await conn.query<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${db}\`.\`${t}\``))[0]!.n);
  return out;
}

beforeAll(async () => {
  conn = await admin.connect({ database: null });
  folder = await mkdtemp(join(tmpdir(), 'dualpipe-api-'));
});

afterAll(async () => {
  const rows = await conn.query<{ s: string }>('SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ? OR SCHEMA_NAME LIKE ?', [
    schema,
    `${schema}\\_%`,
  ]);
  for (const r of rows) await conn.execute(`DROP DATABASE IF EXISTS \`${r.s}\``);
  await conn.close();
  await rm(folder, { recursive: true, force: true });
});

describe('the public API (api/index.ts) alone', () => {
  it('runs the whole pipeline: build, keep in step, back up, restore, merge, and look after it', async () => {
    expect(pipeline).toMatchObject({ sourceSchema: schema, reportSchema: `${schema}_report`, sameServer: true });

    const migrated = await dualpipe.migrate(config.source);
    expect(migrated.applied.length).toBeGreaterThan(0);
    const seeded = await dualpipe.seed(pipeline.source, { scale: 0.01, seed: 7 });
    expect(seeded.rows).toBeGreaterThan(1000);

    const capture = await dualpipe.installChangeCapture(pipeline);
    expect(capture.installed).toBe(true);
    expect(capture.captured).toContain('contacts');
    const full = await dualpipe.runSync({ pipeline });
    expect(full.tables.find((t) => t.table === 'contacts')!.rows).toBe((await counts(schema)).contacts);

    // A change on the source, carried over by an incremental run (not a fallback to a full sync).
    const [{ id: changed }] = await conn.query<{ id: number }>(`SELECT MIN(id) AS id FROM \`${schema}\`.contacts`) as [{ id: number }];
    await conn.execute(`UPDATE \`${schema}\`.contacts SET lead_score = lead_score + 1 WHERE id = ?`, [changed]);
    expect((await dualpipe.changeCaptureStatus(pipeline)).pending).toBeGreaterThan(0);
    const incremental = await dualpipe.runIncrementalSync({ pipeline });
    expect(incremental.fullSyncReason).toBeUndefined();
    expect(incremental.cost!.keysApplied).toBeGreaterThan(0);

    const verified = await dualpipe.verifyMirrors({ pipeline });
    expect(verified.ok).toBe(true);
    expect(() => dualpipe.requireNoDrift(verified)).not.toThrow();

    const backup = await dualpipe.runBackup({ pipeline, to: folder });
    const source = await counts(schema);
    expect(backup.manifest.totals.rows).toBe(Object.values(source).reduce((a, b) => a + b, 0));
    expect(backup.manifest.sync.runId).toBe(incremental.runId);

    const restored = await dualpipe.runRestore({ connector: pipeline.source, from: folder, target: `${schema}_copy` });
    expect(restored.tables.map((t) => t.table).sort()).toEqual(Object.keys(source).sort());
    expect(await counts(`${schema}_copy`)).toEqual(source);

    // A contact deleted (its dependents cascade away): with capture on, verify calls it pending, not
    // drift; a mirror row changed behind dualpipe's back is drift; a merge brings the contact back.
    const [{ id: victim }] = await conn.query<{ id: number }>(`SELECT MAX(id) AS id FROM \`${schema}\`.contacts`) as [{ id: number }];
    await conn.execute(`DELETE FROM \`${schema}\`.contacts WHERE id = ?`, [victim]);
    const pending = await dualpipe.verifyMirrors({ pipeline });
    expect(pending.pendingKeys).toBeGreaterThan(0);
    expect(dualpipe.driftedTables(pending)).toEqual([]);
    await conn.execute(`UPDATE \`${pipeline.reportSchema}\`.contacts SET last_name = 'drifted' WHERE id = (SELECT MIN(id) FROM \`${schema}\`.contacts)`);
    const drifted = await dualpipe.verifyMirrors({ pipeline });
    expect(dualpipe.driftedTables(drifted)).toEqual(['contacts']);
    expect(() => dualpipe.requireNoDrift(drifted)).toThrow(dualpipe.DriftError);
    const merged = await dualpipe.runMerge({ connector: pipeline.source, from: folder, target: schema, where: `contacts.id IN (${victim})` });
    expect(merged.tables.find((t) => t.table === 'contacts')).toMatchObject({ inBackup: 1, inserted: 1, conflicts: 0 });
    expect(await counts(schema)).toEqual(source);

    const status = await dualpipe.pipelineStatus(pipeline);
    expect(status.recentSyncs.map((r) => r.id)).toEqual(expect.arrayContaining([full.runId, incremental.runId]));
    expect(status.tables.map((t) => t.table)).toContain('contacts');
    expect(status.lastVerify).toMatchObject({ ok: false, drift: expect.arrayContaining(['contacts']) });
    expect(status.lastBackup?.dir).toBe(backup.dir);

    const checked = await dualpipe.checkTables({ pipeline });
    expect(checked.map((r) => r.table)).toContain('contacts');
    expect(checked.filter((r) => r.health !== 'ok')).toEqual([]);

    const doctor = await dualpipe.runDoctor(pipeline, { prefix: 'dpapi_' });
    expect(doctor.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['version', 'InnoDB available', 'MyISAM available', 'TLS']));
    expect(doctor.checks.filter((c) => c.server === 'source' && c.verdict === 'fail')).toEqual([]);
    expect(doctor.ok).toBe(true);
  });
});
