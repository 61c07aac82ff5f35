/**
 * `sync --incremental --dry-run` prints the plan of the next incremental run and changes nothing:
 * no change-log row consumed, no history row, no table created or altered, no lock kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import { installCapture } from '../../sync/capture/capture.js';
import { runSync } from '../../sync/full/run-sync.js';
import { runIncrementalSync } from '../../sync/incremental/run-incremental.js';
import { type CrmFixture, createCrmFixture } from '../helpers/crm-fixture.js';
import { runCliCapture } from '../helpers/run-cli-capture.js';

let fx: CrmFixture;
let conn: SqlConnection;

beforeAll(async () => {
  fx = await createCrmFixture('incr_dry', 0.01);
  conn = await fx.connector.connect();
  await installCapture(conn, fx.database);
  await runSync({ pipeline: fx.pipeline });
  // Primes the shadow set, so that the next run's plan is about the changes below only.
  await runIncrementalSync({ pipeline: fx.pipeline });
  const [victim] = await conn.query<{ id: number }>(
    `SELECT c.id FROM ${qualify(fx.database, 'contacts')} c WHERE EXISTS (SELECT 1 FROM ${qualify(fx.database, 'transactions')} t WHERE t.contact_id = c.id) ORDER BY c.id LIMIT 1`,
  );
  await conn.execute(`UPDATE ${qualify(fx.database, 'contacts')} SET first_name = 'Dry' ORDER BY id DESC LIMIT 1`);
  await conn.execute(`DELETE FROM ${qualify(fx.database, 'contacts')} WHERE id = ?`, [victim!.id]);
});

afterAll(async () => {
  await conn.close();
  await fx.drop();
});

/** Everything a run could change: change-log rows, history rows, report-side tables and their checksums. */
async function state(): Promise<unknown> {
  const count = async (schema: string, table: string) =>
    Number((await conn.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${qualify(schema, table)}`))[0]!.n);
  const tables = (
    await conn.query<{ t: string }>("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1", [fx.reportSchema])
  ).map((r) => r.t);
  const sums = await conn.query(`CHECKSUM TABLE ${tables.map((t) => qualify(fx.reportSchema, t)).join(', ')}`);
  return { log: await count(fx.database, '__dp_changes'), runs: await count(`${fx.reportSchema}__dualpipe`, '_dualpipe_runs'), tables, sums };
}

describe('sync --incremental --dry-run', () => {
  it('prints the plan (text and JSON, CLI and library) and changes nothing', async () => {
    const before = await state();
    const text = await runCliCapture(['sync', '--incremental', '--dry-run', '--source', fx.url]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/incremental sync of .* 2 change\(s\) logged/);
    expect(text.stdout).toMatch(/^contacts +\d+ logged/m);
    expect(text.stdout).toMatch(/^transactions +0 logged, [1-9]\d* cascaded/m);
    expect(text.stdout).toMatch(/publish: one RENAME/);

    const json = await runCliCapture(['sync', '--incremental', '--dry-run', '--json', '--source', fx.url]);
    expect(json.code, json.stderr).toBe(0);
    const result = JSON.parse(json.stdout) as { kind: string; dryRun: boolean; plan: { kind: string; changeLogRows: number } };
    expect(result).toMatchObject({ kind: 'incremental', dryRun: true, plan: { kind: 'incremental', changeLogRows: 2 } });

    const lib = await runIncrementalSync({ pipeline: fx.pipeline, dryRun: true });
    expect(lib.kind).toBe('incremental');
    expect(lib.planText).toBe(text.stdout.trimEnd());
    expect(await state()).toEqual(before);

    // Nothing was kept locked: a real run goes ahead at once and applies what the plan showed.
    const real = await runIncrementalSync({ pipeline: fx.pipeline });
    expect(real.kind).toBe('incremental');
    expect(real.kind === 'incremental' ? real.cost?.changeLogRows : undefined).toBe(2);
  });

  it('into a report schema with no earlier sync, says the run would be a full sync, and why, and creates nothing', async () => {
    const r = await runCliCapture(['sync', '--incremental', '--dry-run', '--source', fx.url, '--report', `${fx.url}_other`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/runs as a full sync: no earlier sync/);
    const schemas = await conn.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [`${fx.database}_other`]);
    expect(schemas).toHaveLength(0);
  });
});
