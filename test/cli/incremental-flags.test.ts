/** Bad flag combinations of the commands this change added: one clear line, exit 2, nothing written. */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCapture } from '../helpers/run-cli-capture.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('cli_incr');
});

afterAll(async () => {
  await db.drop();
});

async function refused(args: string[], message: RegExp): Promise<void> {
  const r = await runCliCapture([...args, '--source', db.url]);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(message);
}

describe('flag combinations', () => {
  it('are refused with one line and exit 2 before anything is written', async () => {
    await refused(['sync', '--incremental', '--tables', 'contacts'], /--incremental covers every table/);
    await refused(['sync', '--incremental', '--strategy', 'lock'], /--incremental covers every table/);
    await refused(['sync', '--paranoid'], /--paranoid goes with --incremental/);
    await refused(['restore', '--from-mirrors', '--rollback'], /exactly one of --from <dir>, --from-mirrors/);
    await refused(['schedule', '--backup-cron', '0 1 * * *'], /scheduled backups need a folder/);
    const dir = mkdtempSync(join(tmpdir(), 'dp-flags-'));
    await refused(['backup', '--to', dir, '--copy-to', dir], /is the folder the backup is written to/);
    expect(readdirSync(dir)).toEqual([]);
    const conn = await db.connector.connect();
    const schemas = await conn.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [`${db.database}_report`]);
    await conn.close();
    expect(schemas).toHaveLength(0);
  });
});
