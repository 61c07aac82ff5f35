/**
 * `dualpipe grants` for a pipeline under binlog capture: the sync account gets REPLICATION SLAVE
 * and no TRIGGER, and with exactly that it runs full and incremental syncs that read the binlog;
 * `doctor` finds the account exactly as its role needs.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../../src/db/mysql-driver.js';
import { qualify } from '../../../src/db/quote.js';
import { readForeignKeys } from '../../../src/catalog/foreign-keys.js';
import type { GrantsResult } from '../../../ops/grants/apply-grants.js';
import { runDoctor } from '../../../ops/doctor/run-doctor.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';
import { testServerTarget } from '../../helpers/test-database.js';

const PREFIX = `b${randomBytes(3).toString('hex')}_`;
let fx: CrmFixture;
let password = '';

function syncAs(args: string[]) {
  const t = testServerTarget();
  const where = t.socketPath ? `localhost/${fx.database}?socket=${encodeURIComponent(t.socketPath)}` : `${t.host}:${t.port}/${fx.database}`;
  return runCliCapture([...args, '--source', `mysql://${PREFIX}sync@${where}`, '--report-database', fx.reportSchema], { DUALPIPE_SOURCE_PASSWORD: password });
}

beforeAll(async () => {
  fx = await createCrmFixture('grants_binlog');
  const r = await runCliCapture(['capture', 'install', '--method', 'binlog', '--source', fx.url, '--report-database', fx.reportSchema]);
  expect(r.code, r.stderr).toBe(0);
});

afterAll(async () => {
  const root = await createConnector(testServerTarget()).connect({ database: null });
  await root.execute(`DROP USER IF EXISTS '${PREFIX}sync'@'%'`);
  await root.close();
  await fx?.drop();
});

describe('grants under binlog capture', () => {
  it('plans the sync account from the recorded method, and --capture overrides it', async () => {
    const planned = await runCliCapture(['grants', '--json', '--roles', 'sync', '--prefix', PREFIX, '--source', fx.url, '--report-database', fx.reportSchema]);
    expect(planned.code, planned.stderr).toBe(0);
    const out = JSON.parse(planned.stdout) as GrantsResult;
    expect(out.capture).toBe('binlog');
    const sql = out.servers[0]!.accounts[0]!.statements.join('\n');
    expect(sql).toMatch(/GRANT REPLICATION SLAVE ON \*\.\*/);
    expect(sql).not.toMatch(/TRIGGER|__dp_changes/);
    const triggers = await runCliCapture(['grants', '--json', '--capture', 'triggers', '--roles', 'sync', '--prefix', PREFIX, '--source', fx.url, '--report-database', fx.reportSchema]);
    expect((JSON.parse(triggers.stdout) as GrantsResult).servers[0]!.accounts[0]!.statements.join('\n')).toMatch(/GRANT TRIGGER/);
    const bad = await runCliCapture(['grants', '--capture', 'logs', '--source', fx.url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid --capture "logs"/);
  });

  it('syncs full then incrementally from the binlog with only those privileges, and doctor passes the account', async () => {
    const applied = await runCliCapture(['grants', '--apply', '--json', '--roles', 'sync', '--prefix', PREFIX, '--source', fx.url, '--report-database', fx.reportSchema]);
    expect(applied.code, applied.stderr).toBe(0);
    password = (JSON.parse(applied.stdout) as GrantsResult).passwords[0]!.password;
    expect((await syncAs(['sync'])).code).toBe(0);
    // Regression: MariaDB hides REFERENTIAL_CONSTRAINTS from an account with SELECT alone; the sync
    // account saw no foreign key, derived no cascade, and the SET NULL children below diverged.
    const me = await createConnector({ ...testServerTarget(), user: `${PREFIX}sync`, password }).connect({ database: null });
    const admin = await fx.connector.connect();
    expect(await readForeignKeys(me, fx.database)).toEqual(await readForeignKeys(admin, fx.database));
    await me.close();
    await admin.close();
    const root = await fx.connector.connect();
    await root.execute(`UPDATE ${qualify(fx.database, 'contacts')} SET first_name = 'Binlog' WHERE id = 3`);
    // Cascades: SET NULL into contacts, opportunities and transactions (not in the binlog).
    await root.execute(`DELETE FROM ${qualify(fx.database, 'organizations')} WHERE id = 2`);
    for (let i = 0; i < 2; i++) {
      const r = await syncAs(['sync', '--incremental', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { fullSyncReason?: string };
      expect(out.fullSyncReason).toBeUndefined();
    }
    expect(await root.query(`SELECT first_name FROM ${qualify(fx.reportSchema, 'contacts')} WHERE id = 3`)).toEqual([{ first_name: 'Binlog' }]);
    expect(await root.query(`SELECT id FROM ${qualify(fx.reportSchema, 'organizations')} WHERE id = 2`)).toEqual([]);
    await root.close();
    const verify = await syncAs(['verify']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const doctor = await runDoctor(fx.pipeline, { prefix: PREFIX });
    const role = doctor.checks.find((c) => c.name === 'role sync')!;
    expect(role.verdict, role.detail).toBe('pass');
  });
});
