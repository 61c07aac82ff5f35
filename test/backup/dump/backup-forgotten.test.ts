/**
 * Backups carry the erasure ledger (#18), and the backups that still hold forgotten subjects are
 * marked and pruned: a backup taken before an erasure is marked by `backup list` (from the live
 * ledger, or from a newer backup's ledger without a server), and `backup prune --forgotten`
 * removes it once a newer unmarked backup exists, never the newest. The ledger file holds no data
 * of the subject, is encrypted with the chunks, and `backup verify` checks it.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../../backup/dump/run-backup.js';
import { planPrune } from '../../../backup/dump/prune-plan.js';
import { markForgotten } from '../../../backup/dump/forgotten-backups.js';
import { type BackupKey, readBackupKey, writeNewKey } from '../../../backup/format/backup-key.js';
import { readLedgerFile } from '../../../backup/format/ledger-file.js';
import { type Manifest, parseManifestFile } from '../../../backup/format/manifest.js';
import { internalSchemaOf } from '../../../src/catalog/internal-schema.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { readErasureKey } from '../../../src/erasure/erasure-key.js';
import { readLedger } from '../../../src/erasure/ledger.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { contactWithTree, eraseSubject } from '../../helpers/erase-subject.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';

let fx: CrmFixture;
let conn: SqlConnection;
let root: string;
let folder: string;
let old: string, sealed: string, plain: string;
let key: BackupKey;
let entryId: string;
let email: string;

const manifestOf = (dir: string) => parseManifestFile(readFileSync(join(dir, 'manifest.json'), 'utf8'), 'manifest.json');
const names = (dirs: string[]) => dirs.map((d) => d.split('/').pop()!);

beforeAll(async () => {
  fx = await createCrmFixture('forgotbk', 0.01);
  conn = await fx.connector.connect();
  await runSync({ pipeline: fx.pipeline });
  root = mkdtempSync(join(tmpdir(), 'dp-forgotbk-'));
  folder = join(root, 'backups');
  await writeNewKey(join(root, 'backup.key'));
  key = await readBackupKey(join(root, 'backup.key'));
  await writeNewKey(join(root, 'erasure.key'));
  old = (await runBackup({ pipeline: fx.pipeline, to: folder, compress: 'gzip' })).dir;
  const id = await contactWithTree(conn, fx.database);
  email = String((await conn.query<{ e: string }>(`SELECT email AS e FROM \`${fx.database}\`.contacts WHERE id = ?`, [id]))[0]!.e);
  entryId = (await eraseSubject(fx, conn, [id], await readErasureKey(join(root, 'erasure.key')), { mirrors: true })).entry.id;
  sealed = (await runBackup({ pipeline: fx.pipeline, to: folder, compress: 'gzip', key, copyTo: [join(root, 'second')] })).dir;
  plain = (await runBackup({ pipeline: fx.pipeline, to: folder, compress: 'none' })).dir;
}, 240_000);

afterAll(async () => {
  await conn?.close();
  await fx?.drop();
  rmSync(root, { recursive: true, force: true });
});

describe('the erasure ledger in backups', () => {
  it('a backup writes the report side ledger, recorded in the manifest; none before any erasure', async () => {
    expect(manifestOf(old).erasureLedger).toBeUndefined();
    const live = await readLedger(conn, internalSchemaOf(fx.reportSchema));
    for (const [dir, k, file] of [[plain, undefined, 'erasure-ledger.jsonl'], [sealed, key, 'erasure-ledger.jsonl.gz']] as const) {
      const rec = manifestOf(dir).erasureLedger!;
      expect(rec.file).toBe(file);
      expect(rec.erasures.map((e) => e.id)).toEqual([entryId]);
      const back = await readLedgerFile(dir, rec, k?.key);
      expect(back.entries).toEqual(live.entries);
      expect(back.hashes).toEqual(live.hashes);
    }
    const text = readFileSync(join(plain, 'erasure-ledger.jsonl'), 'utf8');
    expect(text).toContain(entryId);
    expect(text).not.toContain(email);
    // Regression: the --copy-to copy carries the ledger file too (it was left behind, so a restore from the copy failed).
    const second = join(root, 'second', names([sealed])[0]!);
    expect((await readLedgerFile(second, manifestOf(second).erasureLedger!, key.key)).entries).toEqual(live.entries);
    // Encrypted: neither the entry nor the reason can be read without the key.
    expect(readFileSync(join(sealed, 'erasure-ledger.jsonl.gz')).includes('test erasure')).toBe(false);
  });

  it('backup verify checks the ledger file: a changed byte fails with exit 5', async () => {
    const ok = await runCliCapture(['backup', 'verify', sealed, '--encrypt-key-file', join(root, 'backup.key')]);
    expect(ok.code, ok.stderr).toBe(0);
    const copy = join(root, 'damaged', 'dualpipe-copy');
    cpSync(plain, copy, { recursive: true });
    const file = join(copy, 'erasure-ledger.jsonl');
    writeFileSync(file, readFileSync(file, 'utf8').replace('test erasure', 'test erasurE'));
    const bad = await runCliCapture(['backup', 'verify', copy]);
    expect(bad.code).toBe(5);
    expect(bad.stderr).toMatch(/erasure ledger does not match the manifest/);
  });
});

describe('backups that still hold forgotten subjects', () => {
  it('backup list marks the backup taken before the erasure, with or without the live ledger', async () => {
    for (const withSource of [true, false]) {
      const r = await runCliCapture(['backup', 'list', '--in', folder, '--json', ...(withSource ? ['--source', fx.url] : [])]);
      expect(r.code, r.stderr).toBe(0);
      const list = (JSON.parse(r.stdout) as { backups: { name: string; forgotten: string[] }[] }).backups;
      expect(Object.fromEntries(list.map((b) => [b.name, b.forgotten]))).toEqual(Object.fromEntries(names([old, sealed, plain]).map((n, i) => [n, i === 0 ? [entryId] : []])));
    }
    const text = await runCliCapture(['backup', 'list', '--in', folder, '--source', fx.url]);
    expect(text.stdout.split('\n').filter((l) => l.includes('HOLDS FORGOTTEN SUBJECTS'))).toEqual([expect.stringContaining(names([old])[0]!)]);
  });

  it('prune --forgotten removes only the marked backup (--dry-run first), never the newest', async () => {
    const dry = await runCliCapture(['backup', 'prune', '--in', folder, '--forgotten', '--dry-run', '--source', fx.url, '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect((JSON.parse(dry.stdout) as { remove: { name: string }[] }).remove.map((r) => r.name)).toEqual(names([old]));
    expect(existsSync(old)).toBe(true);
    const real = await runCliCapture(['backup', 'prune', '--in', folder, '--forgotten', '--source', fx.url]);
    expect(real.code, real.stderr).toBe(0);
    expect(readdirSync(folder).sort()).toEqual(names([sealed, plain]).sort());
    expect((await runCliCapture(['backup', 'prune', '--in', folder])).code).toBe(2);
  });

  it('the rules: a marked backup stays when it is the newest or when every newer one is marked too', () => {
    const m = (createdAt: string, ids: string[]): Manifest =>
      ({ createdAt, finishedAt: createdAt, erasureLedger: ids.length ? { file: 'erasure-ledger.jsonl', bytes: 1, sha256: '0'.repeat(64), erasures: ids.map((id) => ({ id, erasedAt: '2026-01-02T00:00:00.000000Z' })) } : undefined }) as unknown as Manifest;
    const live = [{ id: 'e1', erasedAt: '2026-01-02T00:00:00.000000Z' }];
    const entries = [
      { name: 'a', manifest: m('2026-01-01T00:00:00Z', []), complete: true, at: new Date('2026-01-01T00:00:00Z') },
      { name: 'b', manifest: m('2026-01-01T12:00:00Z', []), complete: true, at: new Date('2026-01-01T12:00:00Z') },
    ];
    const marks = markForgotten(entries, live);
    expect(marks).toEqual(new Map([['a', ['e1']], ['b', ['e1']]]));
    // Regression: a backup started after the erasure's commit but before its publish dumped mirrors
    // still holding the subject, and its ledger lacks the entry: it is marked too.
    expect(markForgotten([{ name: 'late', manifest: m('2026-01-02T00:00:01Z', []) }], live)).toEqual(new Map([['late', ['e1']]]));
    const keepAll = { keepLast: 100, now: new Date('2026-01-03T00:00:00Z'), forgotten: marks };
    expect(planPrune(entries, keepAll).remove).toEqual([]);
    const withNewer = [...entries, { name: 'c', manifest: m('2026-01-03T00:00:00Z', ['e1']), complete: true, at: new Date('2026-01-03T00:00:00Z') }];
    expect(planPrune(withNewer, { ...keepAll, forgotten: markForgotten(withNewer, []) }).remove.map((r) => r.name).sort()).toEqual(['a', 'b']);
  });
});
