/**
 * Several locations and scheduled backups: `backup --copy-to` writes a verified second copy that
 * restores as well as the first, and `dualpipe schedule --backup-cron` backs up, copies and prunes
 * every place to the retention after each run.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBackups } from '../../../backup/dump/inventory.js';
import { MANIFEST_FILE } from '../../../backup/format/manifest.js';
import { runBackup } from '../../../backup/dump/run-backup.js';
import { runRestore } from '../../../backup/restore/run-restore.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { exitOf, spawnCli, waitForOutput } from '../../helpers/spawn-cli.js';
import { schemaDigest } from '../../helpers/table-digest.js';

let fx: CrmFixture;
let conn: SqlConnection;

beforeAll(async () => {
  fx = await createCrmFixture('bkcopy', 0.01);
  conn = await fx.connector.connect();
  await runSync({ pipeline: fx.pipeline });
});

afterAll(async () => {
  await conn.close();
  await fx.drop();
});

describe('backup copies', () => {
  it('--copy-to writes a verified copy that restores exactly like the first', async () => {
    const first = mkdtempSync(join(tmpdir(), 'dp-bk1-'));
    const second = mkdtempSync(join(tmpdir(), 'dp-bk2-'));
    const r = await runBackup({ pipeline: fx.pipeline, to: first, copyTo: [second], chunkRows: 500 });
    expect(r.copies).toHaveLength(1);
    expect(r.copies[0]!.dir).toBe(join(second, r.dir.split('/').pop()!));
    expect(r.copies[0]!.chunks).toBe(r.manifest.tables.reduce((a, t) => a + t.chunks.length, 0));
    expect(existsSync(join(r.copies[0]!.dir, MANIFEST_FILE))).toBe(true);
    expect(readdirSync(second).filter((n) => n.endsWith('.partial'))).toEqual([]);
    const source = await schemaDigest(conn, fx.database, fx.tables);
    for (const [i, dir] of [r.dir, r.copies[0]!.dir].entries()) {
      const into = `${fx.database}_c${i}`;
      await runRestore({ connector: fx.connector, from: dir, target: into });
      expect(await schemaDigest(conn, into, fx.tables), dir).toEqual(source);
    }
  });

  it('refuses a copy into the folder the backup goes to, before dumping anything', async () => {
    const first = mkdtempSync(join(tmpdir(), 'dp-bk1-'));
    await expect(runBackup({ pipeline: fx.pipeline, to: first, copyTo: [first] })).rejects.toThrow(/is the folder the backup is written to/);
    expect(readdirSync(first)).toEqual([]);
  });

  it('schedule --backup-cron backs up, copies and prunes both places to --keep-last', async () => {
    const first = mkdtempSync(join(tmpdir(), 'dp-sched1-'));
    const second = mkdtempSync(join(tmpdir(), 'dp-sched2-'));
    const child = spawnCli(['schedule', '--backup-cron', '* * * * * *', '--backup-to', first, '--copy-to', second, '--keep-last', '1', '--source', fx.url]);
    // Backup folder names have one-second resolution: wait for two pruned runs.
    await waitForOutput(child, /scheduled backup: pruned[\s\S]*scheduled backup: pruned[\s\S]*scheduled backup: pruned[\s\S]*scheduled backup: pruned/, 60_000);
    child.kill('SIGTERM');
    expect(await exitOf(child)).toBe(0);
    for (const place of [first, second]) {
      const complete = (await listBackups(place)).filter((b) => b.complete);
      expect(complete.length, place).toBe(1);
    }
    expect(child.stderrText()).toMatch(/"removed":\["dualpipe-/);
  });
  it('a scheduled backup into a missing folder fails and is recorded; the folder is not created', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'dp-schedmiss-'));
    const missing = join(parent, 'offsite-mount', 'backups');
    const child = spawnCli(['schedule', '--backup-cron', '* * * * * *', '--backup-to', missing, '--keep-last', '1', '--source', fx.url]);
    await waitForOutput(child, /scheduled backup failed/, 60_000);
    child.kill('SIGTERM');
    expect(await exitOf(child)).toBe(0);
    expect(child.stderrText()).toMatch(/offsite-mount/);
    expect(existsSync(join(parent, 'offsite-mount'))).toBe(false);
    const rows = await conn.query<{ status: string; error: string | null }>(
      `SELECT status, error FROM \`${fx.reportSchema}__dualpipe\`._dualpipe_runs WHERE kind = 'backup' ORDER BY id DESC LIMIT 1`,
    );
    expect(rows[0]?.status).toBe('failed');
    expect(rows[0]?.error).toMatch(/offsite-mount/);
  });
});
