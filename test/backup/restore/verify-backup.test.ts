/**
 * Tested recovery: `backup verify --restore-test` passes on a good backup and fails on a damaged
 * one (a changed chunk, or content that no longer matches the manifest's checksum, which only the
 * restore test can see); the result is recorded for `backup list`, and no scratch schema is left.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBackups } from '../../../backup/dump/inventory.js';
import type { Manifest } from '../../../backup/format/manifest.js';
import { runBackup } from '../../../backup/dump/run-backup.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';

let fx: CrmFixture;
let conn: SqlConnection;
let parent: string;
let good: string;

beforeAll(async () => {
  fx = await createCrmFixture('verifybk', 0.01);
  conn = await fx.connector.connect();
  await runSync({ pipeline: fx.pipeline });
  parent = mkdtempSync(join(tmpdir(), 'dp-verify-'));
  good = (await runBackup({ pipeline: fx.pipeline, to: join(parent, 'good'), compress: 'none' })).dir;
});

afterAll(async () => {
  await conn.close();
  await fx.drop();
  rmSync(parent, { recursive: true, force: true });
});

async function scratch(): Promise<string[]> {
  const rows = await conn.query<{ s: string }>('SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?', [`${fx.database}\\_\\_dp%`]);
  return rows.map((r) => r.s);
}

const verify = (dir: string) => runCliCapture(['backup', 'verify', dir, '--restore-test', '--source', fx.url, '--json']);

function damaged(name: string, edit: (dir: string, m: Manifest) => void): string {
  const dir = join(parent, name, good.split('/').pop()!);
  cpSync(good, dir, { recursive: true });
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  edit(dir, m);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
  return dir;
}

describe('backup verify --restore-test', () => {
  it('passes on a good backup, records it, and leaves no scratch schema', async () => {
    const r = await verify(good);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { ok: boolean; restoreTest: { rows: number } };
    expect(out.ok).toBe(true);
    expect(out.restoreTest.rows).toBe((JSON.parse(readFileSync(join(good, 'manifest.json'), 'utf8')) as Manifest).totals.rows);
    const [listed] = await listBackups(join(parent, 'good'));
    expect(listed!.verification).toMatchObject({ ok: true, restoreTest: true });
    expect(await scratch()).toEqual([]);
  });

  it('fails on a changed chunk and on content that does not match the manifest, and records the failure', async () => {
    const chunk = damaged('bitflip', (dir, m) => {
      const file = join(dir, m.tables.find((t) => t.name === 'contacts')!.chunks[0]!.file);
      const bytes = readFileSync(file);
      bytes[10]! ^= 0x01;
      writeFileSync(file, bytes);
    });
    const r1 = await verify(chunk);
    expect(r1.code).toBe(5);
    expect(r1.stderr).toMatch(/SHA-256 mismatch \(chunk of contacts\)/);
    // Every chunk hash still matches: only restoring and checking the content finds this.
    const content = damaged('checksum', (_dir, m) => {
      const t = m.tables.find((x) => x.name === 'addresses')!;
      expect(t.checksum).toMatch(/^v3:\d+$/);
      t.checksum = `v3:${BigInt(t.checksum.replace(/^v3:/, '')) + 1n}`;
    });
    const r2 = await verify(content);
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toMatch(/addresses/);
    for (const name of ['bitflip', 'checksum']) {
      const [listed] = await listBackups(join(parent, name));
      expect(listed!.verification?.ok, name).toBe(false);
    }
    const text = await runCliCapture(['backup', 'list', '--in', join(parent, 'checksum')]);
    expect(text.stdout).toContain('VERIFY FAILED');
    expect(await scratch()).toEqual([]);
  });
});
