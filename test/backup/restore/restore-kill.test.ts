/**
 * A restore killed with SIGKILL before its one RENAME leaves the live tables exactly as they were
 * (all work happens in the staging schema), after it they are wholly the backup's; the next run
 * cleans the staging schema up and succeeds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../../backup/dump/run-backup.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify } from '../../../src/db/quote.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { exitOf, spawnCli, waitForOutput } from '../../helpers/spawn-cli.js';
import { schemaDigest } from '../../helpers/table-digest.js';

let fx: CrmFixture;
let conn: SqlConnection;
let parent: string;
let dir: string;

beforeAll(async () => {
  fx = await createCrmFixture('restore_kill', 0.02);
  conn = await fx.connector.connect();
  await runSync({ pipeline: fx.pipeline });
  parent = mkdtempSync(join(tmpdir(), 'dualpipe-restore-kill-'));
  dir = (await runBackup({ pipeline: fx.pipeline, to: parent })).dir;
});

afterAll(async () => {
  await conn.close();
  await fx.drop();
  rmSync(parent, { recursive: true, force: true });
});

/** After a SIGKILL the server may still finish the statement in flight; wait until our schemas are quiet. */
async function waitQuiet(): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const busy = await conn.query(
      "SELECT 1 FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND COMMAND <> 'Sleep' AND INFO LIKE ?",
      [`%${fx.database}%`],
    );
    if (busy.length === 0) return;
    await sleep(50);
  }
  throw new Error('the schemas did not become quiet');
}

const same = (a: object, b: object) => JSON.stringify(a) === JSON.stringify(b);

/** Kill points: `before` must leave the live tables untouched; the others may land on either side of the RENAME. */
const kills: { at: RegExp | number; label: string; before: boolean }[] = [
  { at: /restore validated/, label: 'after validation', before: true },
  { at: /restore: staging schema created/, label: 'after the staging tables were created', before: true },
  { at: /restore: table \w+ loaded/, label: 'after the first table was loaded', before: true },
  // Only milliseconds of checks separate these two lines from the RENAME: either side is fine, never a mix.
  { at: /restore: tables loaded and checked/, label: 'after all tables were loaded and checked', before: false },
  { at: /restore: verified/, label: 'just before the swap', before: false },
  { at: 400, label: '400 ms after start', before: false },
];

describe('restore killed with SIGKILL', () => {
  it('leaves the live tables as they were; the next run cleans up and is exact', async () => {
    const backupState = await schemaDigest(conn, fx.database, fx.tables);
    await conn.execute(`UPDATE ${qualify(fx.database, 'contacts')} SET lead_score = lead_score + 7 WHERE id % 3 = 0`);
    await conn.execute(`DELETE FROM ${qualify(fx.database, 'contacts')} WHERE id % 11 = 0`);
    const live = await schemaDigest(conn, fx.database, fx.tables);
    const args = ['restore', '--source', fx.url, '--from', dir, '--yes', '--wait-lock', '30', '--log-level', 'info'];

    for (const k of kills) {
      const child = spawnCli(args);
      if (typeof k.at === 'number') await sleep(k.at);
      else await waitForOutput(child, k.at);
      child.kill('SIGKILL');
      await exitOf(child);
      await waitQuiet();
      const now = await schemaDigest(conn, fx.database, fx.tables);
      if (k.before) expect(same(now, live), `killed ${k.label}: live tables changed`).toBe(true);
      else expect(same(now, live) || same(now, backupState), `killed ${k.label}: a mix of old and restored tables`).toBe(true);
      if (!same(now, live)) break; // swapped in: later kill points would restore over the restored tables
    }

    const next = spawnCli(args);
    expect(await exitOf(next), next.stderrText()).toBe(0);
    expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(backupState);
    const left = await conn.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [`${fx.database}__dp_restore`]);
    expect(left).toHaveLength(0);
  });
});
