/**
 * `doctor` under binlog capture, on the shared test server (which keeps a binlog, ROW format, on
 * both kinds): the capture method line, the binlog settings passing, and an account without the
 * binlog privileges failing with the missing ones named.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { createConnector } from '../../../src/db/mysql-driver.js';
import { checkBinlogCapture } from '../../../ops/doctor/doctor-binlog.js';
import { runDoctor } from '../../../ops/doctor/run-doctor.js';
import { writeCaptureMethod } from '../../../sync/capture/capture-method.js';
import { createTestDatabase, type TestDatabase, testPipeline } from '../../helpers/test-database.js';

const USER = `dpbl${randomBytes(3).toString('hex')}`;
let db: TestDatabase;
let root: SqlConnection;

beforeAll(async () => {
  db = await createTestDatabase('doctor_binlog');
  root = await db.connector.connect({ database: null });
  await root.execute(`CREATE USER '${USER}'@'%' IDENTIFIED BY 'pw-${USER}'`);
  await root.execute(`GRANT SELECT ON \`${db.database}\`.* TO '${USER}'@'%'`);
});

afterAll(async () => {
  await root?.execute(`DROP USER IF EXISTS '${USER}'@'%'`);
  await root?.close();
  await db?.drop();
});

describe('doctor: binlog capture', () => {
  it('says which capture method, and under binlog capture checks the settings and privileges', async () => {
    const pipeline = testPipeline(db);
    const before = await runDoctor(pipeline);
    expect(before.checks.find((c) => c.name === 'capture method')?.detail).toMatch(/^triggers/);
    expect(before.checks.some((c) => c.name === 'binlog_format')).toBe(false);
    await writeCaptureMethod(root, `${db.database}_report`, 'binlog');
    const after = await runDoctor(pipeline);
    const byName = Object.fromEntries(after.checks.map((c) => [c.name, c]));
    expect(byName['capture method']?.detail).toMatch(/^binlog/);
    for (const n of ['binlog', 'binlog_format', 'binlog_row_image', 'server_id', 'binlog capture privileges']) expect(byName[n]?.verdict, n).toBe('pass');
    expect(['pass', 'warn']).toContain(byName['binlog retention']?.verdict);
  });

  it('fails an account that may not read the binlog, naming what is missing and how to grant it', async () => {
    const conn = await createConnector({ ...db.target, user: USER, password: `pw-${USER}` }).connect({ database: null });
    try {
      const checks = await checkBinlogCapture(conn);
      const line = checks.find((c) => c.name === 'binlog capture privileges')!;
      expect(line.verdict).toBe('fail');
      expect(line.detail).toMatch(/REPLICATION SLAVE/);
      expect(line.detail).toMatch(/REPLICATION CLIENT|BINLOG MONITOR/);
      expect(line.fix).toMatch(/^GRANT /);
    } finally {
      await conn.close();
    }
  });
});
