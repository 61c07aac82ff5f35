/**
 * When an incremental sync must run as a full one, per capture method, and that it says why:
 * trigger capture after a reinstall or a restore (which takes the triggers off for its swap);
 * binlog capture after DDL or a restore (both seen in the binlog), and a migration from triggers
 * to binlog on a running system that loses no change committed meanwhile.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../../backup/dump/run-backup.js';
import { rollbackRestore } from '../../../backup/restore/rollback-restore.js';
import { runRestore } from '../../../backup/restore/run-restore.js';
import { changeCaptureStatus, installChangeCapture } from '../../../ops/change-capture.js';
import { existingTriggers, installCapture, readCapture } from '../../../sync/capture/capture.js';
import { runIncrementalSync } from '../../../sync/incremental/run-incremental.js';
import { createIncrementalFixture, type IncrementalFixture } from '../../helpers/incremental-fixture.js';
import { schemaDigest } from '../../helpers/table-digest.js';

describe('incremental sync fallbacks (trigger capture)', () => {
  let f: IncrementalFixture;
  beforeAll(async () => {
    f = await createIncrementalFixture('incf_trg', 'triggers');
  });
  afterAll(async () => {
    await f?.close();
  });

  it('falls back to a full sync when the schema changed or capture was reinstalled, and says why', async () => {
    const { conn, q, fx, options } = f;
    await conn.execute(`ALTER TABLE ${q('codes')} ADD COLUMN note VARCHAR(10) NULL`);
    const r = await runIncrementalSync(options);
    expect(r.fullSyncReason).toMatch(/definition of codes changed/);
    await installCapture(conn, fx.database);
    const again = await runIncrementalSync(options);
    expect(again.fullSyncReason).toMatch(/predates the change capture/);
    await runIncrementalSync(options);
    await f.incremental();
    await f.expectExact('after fallbacks');
    expect((await readCapture(conn, fx.database)).pending).toBe(0);
  });

  it('a restore over the captured source takes the triggers off for its swap and puts them back; the next sync is full', async () => {
    const { conn, q, fx, options } = f;
    const before = await readCapture(conn, fx.database);
    const backup = await runBackup({ pipeline: fx.pipeline, to: mkdtempSync(join(tmpdir(), 'dp-incr-')), compress: 'none' });
    await conn.execute(`UPDATE ${q('contacts')} SET lead_score = lead_score + 1 WHERE id % 5 = 0`);
    await runRestore({ connector: fx.connector, from: backup.dir, target: fx.database });
    const after = await readCapture(conn, fx.database);
    expect(after.uncaptured.filter((u) => u.why.startsWith('trigger'))).toEqual([]);
    expect(after.captureId).not.toBe(before.captureId);
    const r = await runIncrementalSync(options);
    expect(r.fullSyncReason).toMatch(/predates the change capture/);
    await rollbackRestore({ connector: fx.connector, target: fx.database });
    expect((await readCapture(conn, fx.database)).uncaptured.filter((u) => u.why.startsWith('trigger'))).toEqual([]);
    expect((await runIncrementalSync(options)).fullSyncReason).toMatch(/predates the change capture/);
    await runIncrementalSync(options);
    await f.incremental();
    await f.expectExact('after restore and rollback', { fullSync: true });
  });

  it('migrates to binlog capture on a running system: triggers gone, no change lost in between', async () => {
    const { conn, q, fx } = f;
    await f.incremental();
    // Committed after the last sync and before the switch: logged by the triggers, which go away.
    await conn.execute(`UPDATE ${q('contacts')} SET last_name = 'BeforeSwitch' WHERE id % 11 = 0`);
    const switched = await installChangeCapture(fx.pipeline, { method: 'binlog' });
    expect(switched.method).toBe('binlog');
    expect(await existingTriggers(conn, fx.database)).toEqual([]);
    await conn.execute(`UPDATE ${q('contacts')} SET last_name = 'AfterSwitch' WHERE id % 13 = 0`);
    // Every sync notes its binlog resume position (MariaDB: the snapshot's own; MySQL: by GTID).
    expect(switched.binlog?.resume).toMatch(/"file"/);
    const r = await f.incremental();
    expect(r.cost!.keysApplied).toBeGreaterThan(0);
    await f.expectExact('after the switch to binlog capture');
    expect((await changeCaptureStatus(fx.pipeline)).method).toBe('binlog');
  });
});

describe('incremental sync fallbacks (binlog capture)', () => {
  let f: IncrementalFixture;
  beforeAll(async () => {
    f = await createIncrementalFixture('incf_bin', 'binlog');
  });
  afterAll(async () => {
    await f?.close();
  });

  it('copies whole the children of a table keyed by a type the binlog keys are not mapped for (its cascades are not logged)', async () => {
    const { conn, q, fx, options } = f;
    await conn.execute(`CREATE TABLE ${q('days')} (d DATE NOT NULL PRIMARY KEY, v INT NULL) ENGINE=InnoDB`);
    await conn.execute(`CREATE TABLE ${q('day_notes')} (id INT NOT NULL PRIMARY KEY, d DATE NULL,
      FOREIGN KEY (d) REFERENCES ${q('days')} (d) ON DELETE CASCADE ON UPDATE CASCADE) ENGINE=InnoDB`);
    await conn.execute(`INSERT INTO ${q('days')} VALUES ('2024-01-01', 1), ('2024-01-02', 2)`);
    await conn.execute(`INSERT INTO ${q('day_notes')} VALUES (1, '2024-01-01'), (2, '2024-01-02'), (3, '2024-01-02')`);
    expect((await runIncrementalSync(options)).fullSyncReason).toMatch(/set of source tables changed/);
    await f.incremental(); // primes the shadow set
    await conn.execute(`DELETE FROM ${q('days')} WHERE d = '2024-01-02'`);
    await conn.execute(`UPDATE ${q('days')} SET d = '2024-02-01' WHERE d = '2024-01-01'`);
    const r = await f.incremental();
    expect(r.changes!.find((c) => c.table === 'day_notes')!.whole).toBe(true);
    const tables = ['days', 'day_notes'];
    expect(await schemaDigest(conn, fx.reportSchema, tables)).toEqual(await schemaDigest(conn, fx.database, tables));
    await f.incremental(); // the other copy
    expect(await schemaDigest(conn, fx.reportSchema, tables)).toEqual(await schemaDigest(conn, fx.database, tables));
  });

  it('runs a full sync after DDL on the source (seen in the binlog), with the reason, then incremental again', async () => {
    const { conn, q, options } = f;
    await f.incremental();
    await conn.execute(`UPDATE ${q('codes')} SET n = 7`);
    await conn.execute(`CREATE INDEX n_idx ON ${q('codes')} (n)`);
    const r = await runIncrementalSync(options);
    expect(r.fullSyncReason).toMatch(/definition of codes changed|DDL on/);
    await conn.execute(`UPDATE ${q('codes')} SET n = 8`);
    await f.incremental();
    await f.expectExact('after DDL');
  });

  it('a restore over the source (a swap of tables, DDL in the binlog) makes the next sync full; then incremental', async () => {
    const { conn, q, fx, options } = f;
    await runIncrementalSync(options);
    const backup = await runBackup({ pipeline: fx.pipeline, to: mkdtempSync(join(tmpdir(), 'dp-incr-')), compress: 'none' });
    await conn.execute(`UPDATE ${q('contacts')} SET lead_score = lead_score + 1 WHERE id % 5 = 0`);
    await runRestore({ connector: fx.connector, from: backup.dir, target: fx.database });
    const r = await runIncrementalSync(options);
    expect(r.fullSyncReason).toMatch(/binlog capture: DDL on/);
    await conn.execute(`UPDATE ${q('contacts')} SET lead_score = lead_score + 2 WHERE id % 7 = 0`);
    await f.incremental();
    await f.expectExact('after a restore', { fullSync: true });
  });
});
