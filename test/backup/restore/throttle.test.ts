/**
 * Throttling backups and restores on a real server: GET_LOCK waiters (busy-server.ts) push
 * Threads_running over the limit. A backup pauses and finishes once they go; a restore over
 * --critical-load aborts with nothing written to its target.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../../backup/dump/run-backup.js';
import { runRestore } from '../../../backup/restore/run-restore.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { ThrottleError } from '../../../src/guard/throttle-error.js';
import { onRunEvent, type ThrottlePauseEvent } from '../../../src/log/run-events.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { busyServer, lineLogger } from '../../helpers/busy-server.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { type OwnTestServer, startOwnTestServer } from '../../helpers/own-test-server.js';
import { schemaDigest } from '../../helpers/table-digest.js';

// Threads_running is server-wide: a server of this file's own, so no other file's sessions count.
let server: OwnTestServer;
let fx: CrmFixture;
let conn: SqlConnection;
let parent: string;
const LIMIT = 8;
const limits = { maxLoad: [{ name: 'Threads_running', limit: LIMIT }] };

beforeAll(async () => {
  server = await startOwnTestServer('throttle_bk');
  fx = await createCrmFixture('throttle_bk', 0.01, server);
  conn = await fx.connector.connect();
  await runSync({ pipeline: fx.pipeline });
  parent = mkdtempSync(join(tmpdir(), 'dualpipe-throttle-'));
});

afterAll(async () => {
  await conn.close();
  await fx.drop();
  await server.destroy();
  rmSync(parent, { recursive: true, force: true });
});

async function schemas(): Promise<string[]> {
  const rows = await conn.query<{ s: string }>('SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA');
  return rows.map((r) => r.s);
}

describe('backup and restore throttling', () => {
  it('a backup pauses while the report server is over --max-load, then finishes; a restore of it loads equal rows', async () => {
    const events: ThrottlePauseEvent[] = [];
    const off = onRunEvent((e) => e.type === 'throttle-pause' && events.push(e));
    const { lines, logger } = lineLogger();
    const busy = await busyServer(fx.connector, 12);
    let finished = false;
    const run = runBackup({ pipeline: fx.pipeline, to: parent, logger, throttle: limits });
    void run.then(() => (finished = true), () => (finished = true));
    for (let i = 0; i < 300 && !lines.some((l) => l.startsWith('throttled:')); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1000));
    expect(finished).toBe(false);
    await busy.release();
    const backup = await run;
    off();
    expect(lines.filter((l) => /^throttled: Threads_running=\d+ > 8, pausing$/.test(l))).toHaveLength(1);
    expect(events.filter((e) => e.kind === 'backup')).toHaveLength(1);
    const into = `${fx.database}_thr`;
    const r = await runRestore({ connector: fx.connector, from: backup.dir, target: into, throttle: limits });
    expect(r.throttle).toEqual({ pauses: 0, pauseSeconds: 0 });
    expect(await schemaDigest(conn, into, fx.tables)).toEqual(await schemaDigest(conn, fx.database, fx.tables));
  });

  it('a restore over --critical-load aborts and leaves no target or staging schema', async () => {
    const dir = join(parent, readdirSync(parent)[0]!);
    const into = `${fx.database}_crit`;
    const busy = await busyServer(fx.connector, 12);
    const error = await runRestore({ connector: fx.connector, from: dir, target: into, throttle: { criticalLoad: limits.maxLoad } }).catch((e: unknown) => e);
    await busy.release();
    expect(error).toBeInstanceOf(ThrottleError);
    expect((error as Error).message).toMatch(/^critical load on the restore target: Threads_running=\d+ > 8 \(--critical-load\)/);
    const left = (await schemas()).filter((s) => s.startsWith(into));
    // The empty target schema the restore created may stay; nothing was loaded into it.
    for (const s of left) {
      const tables = await conn.query('SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [s]);
      expect(s === into || s === `${into}__dualpipe` ? tables.filter((t) => !String(t.TABLE_NAME).startsWith('_dualpipe')) : tables, s).toEqual([]);
    }
  });
});
