/**
 * Keyless tables on a MySQL that requires primary keys (`sql_require_primary_key=ON`) or generates
 * invisible ones (`sql_generate_invisible_primary_key=ON`): dualpipe's sessions turn both off for
 * themselves, so a keyless source table is mirrored, verified, backed up and restored as it is
 * (duplicate rows included, no `my_row_id` added). MariaDB has neither variable: there the same
 * round trip runs on a plain server and allowKeylessTables does nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../../backup/dump/run-backup.js';
import { runRestore } from '../../../backup/restore/run-restore.js';
import type { ConnectionTarget, SqlConnection } from '../../../src/db/connection.js';
import { allowKeylessTables } from '../../../src/db/keyless-tables.js';
import { createConnector } from '../../../src/db/mysql-driver.js';
import { qualify } from '../../../src/db/quote.js';
import { createPipeline } from '../../../src/pipeline.js';
import { startEmbeddedServer, stopEmbeddedServer } from '../../../src/server/embedded-server.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { verifyMirrors } from '../../../sync/verify/verify.js';
import { ownServerOptions } from '../../helpers/test-server-choice.js';
import { inject } from 'vitest';

const STRICT = ['--sql-require-primary-key=ON', '--sql-generate-invisible-primary-key=ON'];
const dir = mkdtempSync(join(tmpdir(), 'dp-keyless-'));
let target: ConnectionTarget & { database: string };
let root: SqlConnection;
let mysql = false;

beforeAll(async () => {
  mysql = inject('testServerKind').includes('mysql');
  const server = await startEmbeddedServer({ dir, ...ownServerOptions(mysql ? STRICT : []) });
  target = { host: '127.0.0.1', port: server.port, user: 'root', database: 'kl' };
  root = await createConnector(target).connect({ database: null });
  if (mysql) await root.execute('SET SESSION sql_require_primary_key = OFF');
  await root.execute('CREATE DATABASE kl');
  await root.execute("CREATE TABLE kl.nokey (a INT, b VARCHAR(10) CHARACTER SET utf8mb4) ENGINE=InnoDB");
  await root.execute("INSERT INTO kl.nokey VALUES (1, 'x'), (1, 'x'), (2, NULL), (NULL, '')");
}, 180_000);

afterAll(async () => {
  await root?.close();
  await stopEmbeddedServer({ dir });
  rmSync(dir, { recursive: true, force: true });
});

/** Every column of a table, invisible ones too. */
async function columnsOf(schema: string, table: string): Promise<string[]> {
  const cols = await root.query<{ c: string }>('SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION', [schema, table]);
  return cols.map((c) => c.c);
}

/** Every row of a (a, b) table, sorted, and its columns. */
async function contents(schema: string, table: string): Promise<{ columns: string[]; rows: string[] }> {
  const rows = await root.query<{ r: string }>(`SELECT CONCAT_WS('|', IFNULL(a, 'N'), IFNULL(HEX(b), 'N')) AS r FROM ${qualify(schema, table)}`);
  return { columns: await columnsOf(schema, table), rows: rows.map((r) => r.r).sort() };
}

describe('keyless tables on a server that requires or generates primary keys', () => {
  it('the server really is strict (MySQL), so the test below could fail', async () => {
    const strict = await createConnector(target).connect();
    try {
      if (!mysql) {
        await expect(strict.query('SELECT @@sql_require_primary_key')).rejects.toMatchObject({ errno: 1193 });
        return;
      }
      await expect(strict.execute('CREATE TABLE kl.probe (a INT) ENGINE=MyISAM')).rejects.toMatchObject({ errno: 3750 });
      await allowKeylessTables(strict);
      await strict.execute('CREATE TABLE kl.probe (a INT) ENGINE=InnoDB');
      expect(await columnsOf('kl', 'probe')).toEqual(['a']); // no my_row_id
      await strict.execute('DROP TABLE kl.probe');
    } finally {
      await strict.close();
    }
  });

  it('mirrors, verifies, backs up and restores a keyless table exactly, duplicates included', async () => {
    const pipeline = createPipeline({ source: target, report: { ...target, database: 'kl_report' }, sameServer: true });
    await runSync({ pipeline, reports: [] });
    expect(await contents('kl_report', 'nokey')).toEqual(await contents('kl', 'nokey'));
    expect((await verifyMirrors({ pipeline })).ok).toBe(true);
    const backup = await runBackup({ pipeline, to: join(dir, 'backups') });
    await runRestore({ connector: createConnector(target), from: backup.dir, target: 'kl_back' });
    expect(await contents('kl_back', 'nokey')).toEqual(await contents('kl', 'nokey'));
  });
});
