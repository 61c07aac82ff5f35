import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify } from '../../../src/db/quote.js';
import { LockBusyError } from '../../../src/errors.js';
import { acquireRunLock, lockName } from '../../../src/lock/run-lock.js';
import { loadReportDefinitions } from '../../../sync/reports/report-definitions.js';
import { recentRuns } from '../../../src/history/run-history.js';
import { runSync, type SyncOptions } from '../../../sync/full/run-sync.js';
import { verifyMirrors } from '../../../sync/verify/verify.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';
import { countOrphans, schemaDigest } from '../../helpers/table-digest.js';

let fx: CrmFixture;
let conn: SqlConnection;

function options(extra: Partial<SyncOptions> = {}): SyncOptions {
  return {
    pipeline: fx.pipeline,
    chunkRows: 500,
    ...extra,
  };
}

beforeAll(async () => {
  fx = await createCrmFixture('sync');
  conn = await fx.connector.connect();
});

afterAll(async () => {
  await conn.close();
  await fx.drop();
});

describe('full sync', () => {
  it('dry run prints the plan and changes nothing', async () => {
    const r = await runSync(options({ dryRun: true }));
    expect(r.planText).toContain('START TRANSACTION WITH CONSISTENT SNAPSHOT');
    expect(r.planText).toContain('RENAME TABLE');
    const schemas = await conn.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [
      fx.reportSchema,
    ]);
    expect(schemas).toHaveLength(0);
  });

  it('builds MyISAM mirrors equal to the source row for row, and the report tables', async () => {
    const r = await runSync(options());
    expect(r.tables.map((t) => t.table).sort()).toEqual([...fx.tables].sort());
    const src = await schemaDigest(conn, fx.database, fx.tables);
    const mir = await schemaDigest(conn, fx.reportSchema, fx.tables);
    expect(mir).toEqual(src);
    const engines = await conn.query<{ t: string; e: string }>(
      "SELECT TABLE_NAME AS t, ENGINE AS e FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'",
      [fx.reportSchema],
    );
    expect(engines.every((e) => e.e === 'MyISAM')).toBe(true);
    const fks = await conn.query(
      'SELECT 1 FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?',
      [fx.reportSchema],
    );
    expect(fks).toHaveLength(0);
    const reports = loadReportDefinitions();
    expect(r.reports.map((x) => x.name).sort()).toEqual(reports.map((d) => d.name).sort());
    for (const rep of r.reports) {
      const n = await conn.query<{ n: number }>(
        `SELECT COUNT(*) AS n FROM ${qualify(fx.reportSchema, rep.name)}`,
      );
      expect(Number(n[0]!.n)).toBe(rep.rows);
    }
    const runs = await recentRuns(conn, fx.reportSchema, 1);
    expect(runs[0]).toMatchObject({ kind: 'sync', status: 'succeeded', strategy: 'swap' });
    expect(await countOrphans(conn, fx.database, fx.reportSchema)).toSatisfy((o: Record<string, number>) =>
      Object.values(o).every((n) => n === 0),
    );
  });

  it('a second sync replaces the mirrors with the new source state', async () => {
    await conn.execute(
      `UPDATE ${qualify(fx.database, 'contacts')} SET lead_score = lead_score + 1 WHERE id <= 10`,
    );
    await conn.execute(`DELETE FROM ${qualify(fx.database, 'contacts')} WHERE id = 20`);
    await runSync(options());
    expect(await schemaDigest(conn, fx.reportSchema, fx.tables)).toEqual(
      await schemaDigest(conn, fx.database, fx.tables),
    );
    // Only the live set's generation marker and freshness rows (internal schema) stay: no temporary table.
    const left = await conn.query<{ t: string }>(
      "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (?, ?) AND TABLE_NAME LIKE '\\_\\_dp%' ORDER BY 1",
      [fx.reportSchema, `${fx.reportSchema}__dualpipe`],
    );
    expect(left.map((r) => r.t)).toEqual(['__dp_freshness', '__dp_gen']);
  });

  it('verify passes, then finds a row changed directly in a mirror (CLI exits 3)', async () => {
    expect((await verifyMirrors(options())).ok).toBe(true);
    await conn.execute(`UPDATE ${qualify(fx.reportSchema, 'addresses')} SET city = 'Tampered' WHERE id = 3`);
    const r = await verifyMirrors(options());
    expect(r.ok).toBe(false);
    const bad = r.tables.filter((t) => t.chunksDiffering > 0);
    expect(bad.map((t) => t.table)).toEqual(['addresses']);
    expect(bad[0]!.chunksDiffering).toBe(1);
    const cli = await runCliCapture(['verify', '--json', '--source', fx.url]);
    expect(cli.code).toBe(3);
    expect((JSON.parse(cli.stdout) as { ok: boolean }).ok).toBe(false);
    await runSync(options());
    expect((await verifyMirrors(options())).ok).toBe(true);
  });

  it('a second concurrent sync exits 4', async () => {
    const lock = await acquireRunLock(fx.report, lockName('sync', fx.reportSchema));
    try {
      await expect(runSync(options())).rejects.toBeInstanceOf(LockBusyError);
      const cli = await runCliCapture(['sync', '--source', fx.url]);
      expect(cli.code).toBe(4);
      expect(cli.stderr).toMatch(/another dualpipe run holds the lock/);
    } finally {
      await lock.release();
    }
    const both = await Promise.allSettled([runSync(options()), runSync(options())]);
    expect(both.filter((b) => b.status === 'fulfilled')).toHaveLength(1);
    const failed = both.find((b) => b.status === 'rejected') as PromiseRejectedResult;
    expect(failed.reason).toBeInstanceOf(LockBusyError);
  });

  it('cleans up temporary tables left by a crashed run and never shows them as report tables', async () => {
    await conn.execute(`CREATE TABLE ${qualify(fx.reportSchema, '__dp_new_contacts')} (x INT) ENGINE=MyISAM`);
    await conn.execute(
      `CREATE TABLE ${qualify(fx.reportSchema, '__dp_old_rpt_customer_360')} (x INT) ENGINE=MyISAM`,
    );
    const r = await runSync(options());
    expect(r.cleanedUp.sort()).toEqual(['__dp_new_contacts', '__dp_old_rpt_customer_360']);
    expect(await schemaDigest(conn, fx.reportSchema, ['contacts'])).toEqual(
      await schemaDigest(conn, fx.database, ['contacts']),
    );
  });

  it('lock strategy and streamed (cross-server) copies give the same mirrors', async () => {
    await conn.execute(
      `UPDATE ${qualify(fx.database, 'interactions')} SET subject = CONCAT(subject, ' (edited)') WHERE id % 7 = 0`,
    );
    await runSync(options({ strategy: 'lock' }));
    const src = await schemaDigest(conn, fx.database, fx.tables);
    expect(await schemaDigest(conn, fx.reportSchema, fx.tables)).toEqual(src);
    await conn.execute(`DELETE FROM ${qualify(fx.database, 'contacts')} WHERE id = 21`);
    const r = await runSync(options({ pipeline: { ...fx.pipeline, sameServer: false } }));
    expect(r.mode).toBe('streamed');
    expect(await schemaDigest(conn, fx.reportSchema, fx.tables)).toEqual(
      await schemaDigest(conn, fx.database, fx.tables),
    );
  });

  it('--tables limits the run and skips reports whose tables are absent', async () => {
    const cli = await runCliCapture([
      'sync',
      '--json',
      '--tables',
      'users,pipeline_stages',
      '--source',
      fx.url,
    ]);
    expect(cli.code).toBe(0);
    const r = JSON.parse(cli.stdout) as { tables: { table: string }[]; skippedReports: unknown[]; reports: unknown[] };
    expect(r.tables.map((t) => t.table).sort()).toEqual(['pipeline_stages', 'users']);
    expect(r.skippedReports.length).toBe(loadReportDefinitions().length - r.reports.length);
    const bad = await runCliCapture(['sync', '--tables', 'no_such_table', '--source', fx.url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/table no_such_table is not in schema/);
  });
});
