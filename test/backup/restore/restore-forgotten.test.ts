/**
 * No restore brings a forgotten subject back (#18): backups of every kind (plain, gzip, encrypted)
 * are taken, a customer with a 3-level tree is erased (the core's ledger, as forget writes it;
 * test/helpers/erase-subject.ts), then each restore path runs: replace, --into, --tables, merge
 * and --from-mirrors. The oracle is the source right after the erasure (the pre-erasure data minus
 * the subject, by plain SQL): every restore leaves exactly that, and withholds the subject's rows
 * per table as counted by plain SQL before the erasure. Without the erasure key: exit 2, nothing
 * changed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../../backup/dump/run-backup.js';
import { type BackupKey, readBackupKey, writeNewKey } from '../../../backup/format/backup-key.js';
import { restoreFromMirrors } from '../../../backup/restore/restore-from-mirrors.js';
import { runMerge } from '../../../backup/restore/run-merge.js';
import { dropScratchRestore, runRestore } from '../../../backup/restore/run-restore.js';
import { internalSchemaOf } from '../../../src/catalog/internal-schema.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { quoteId } from '../../../src/db/quote.js';
import { type ErasureKey, readErasureKey } from '../../../src/erasure/erasure-key.js';
import { readLedger } from '../../../src/erasure/ledger.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { contactWithTree, eraseSubject } from '../../helpers/erase-subject.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';
import { schemaDigest } from '../../helpers/table-digest.js';

let fx: CrmFixture;
let conn: SqlConnection;
let root: string;
let plain: string, gz: string, sealed: string;
let key: BackupKey;
let erasureKey: ErasureKey;
let erasureKeyFile: string;
let ids: number[];
let counts: Record<string, number>;
let entryId: string;
/** The source right after the erasure: what every restore must leave. */
let expected: Record<string, string>;

beforeAll(async () => {
  fx = await createCrmFixture('forgot', 0.01);
  conn = await fx.connector.connect();
  await runSync({ pipeline: fx.pipeline });
  root = mkdtempSync(join(tmpdir(), 'dp-forgot-'));
  await writeNewKey(join(root, 'backup.key'));
  key = await readBackupKey(join(root, 'backup.key'));
  erasureKeyFile = join(root, 'erasure.key');
  await writeNewKey(erasureKeyFile);
  erasureKey = await readErasureKey(erasureKeyFile);
  const backups = join(root, 'backups');
  plain = (await runBackup({ pipeline: fx.pipeline, to: backups, compress: 'none' })).dir;
  gz = (await runBackup({ pipeline: fx.pipeline, to: backups, compress: 'gzip' })).dir;
  sealed = (await runBackup({ pipeline: fx.pipeline, to: backups, compress: 'gzip', key })).dir;
  ids = [await contactWithTree(conn, fx.database)];
  // The mirrors keep the subject: --from-mirrors must withhold it too.
  const erased = await eraseSubject(fx, conn, ids, erasureKey, { mirrors: false });
  ({ counts } = erased);
  entryId = erased.entry.id;
  expected = await schemaDigest(conn, fx.database, fx.tables);
}, 240_000);

afterAll(async () => {
  await conn?.close();
  await fx?.drop();
  rmSync(root, { recursive: true, force: true });
});

describe('restores after an erasure', () => {
  it('the subject had a 3-level tree, and the oracle lacks it', () => {
    expect(counts.opportunity_stage_history).toBeGreaterThan(0);
    expect(counts.transaction_items).toBeGreaterThan(0);
    expect(counts.contacts).toBe(1);
  });

  // Each kind of backup is restored at least once below (plain: replace; gzip: --into; encrypted:
  // --tables and merge): the withholding itself does not depend on the kind, reading the ledger does.
  it('a replace restore withholds the subject and leaves every other row exact', async () => {
    const r = await runRestore({ connector: fx.connector, from: plain, target: fx.database, erasureKey });
    expect(r.withheld).toEqual({ erasures: 1, byTable: counts, matched: Object.values(counts).reduce((a, n) => a + n, 0), cascaded: 0 });
    expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(expected);
  });

  it('--into a fresh schema: the subject is absent, and the ledger is written to its live ledger', async () => {
    const into = `${fx.database}_into`;
    try {
      const r = await runRestore({ connector: fx.connector, from: gz, target: into, erasureKey });
      expect(r.withheld!.byTable).toEqual(counts);
      expect(await schemaDigest(conn, into, fx.tables)).toEqual(expected);
      expect((await readLedger(conn, internalSchemaOf(into))).entries.map((e) => e.id)).toEqual([entryId]);
    } finally {
      await dropScratchRestore(conn, into);
      await conn.execute(`DROP DATABASE IF EXISTS ${quoteId(internalSchemaOf(into))}`);
    }
  });

  it('--tables through the CLI: counts per table in --json and the text output', async () => {
    const tables = ['opportunity_stage_history', 'transaction_items'];
    const args = ['restore', '--source', fx.url, '--from', sealed, '--encrypt-key-file', join(root, 'backup.key'), '--tables', tables.join(','), '--yes'];
    const r = await runCliCapture([...args, '--json'], { DUALPIPE_ERASURE_KEY_FILE: erasureKeyFile });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { withheld: { byTable: Record<string, number> } };
    expect(out.withheld.byTable).toEqual(Object.fromEntries(tables.map((t) => [t, counts[t]])));
    expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(expected);
    const text = await runCliCapture([...args, '--erasure-key-file', erasureKeyFile]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`withheld ${counts.opportunity_stage_history! + counts.transaction_items!} forgotten row\\(s\\) \\(1 erasure\\(s\\) in the ledger\\): opportunity_stage_history ${counts.opportunity_stage_history}`));
  });

  it('a merge of the subject (from the encrypted backup) inserts nothing: its rows leave the scratch tables', async () => {
    const r = await runMerge({ connector: fx.connector, from: sealed, target: fx.database, where: `contacts.id IN (${ids.join(', ')})`, erasureKey, key });
    expect(r.inserted).toBe(0);
    expect(r.withheld!.byTable).toEqual(counts);
    expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(expected);
  });

  it('--from-mirrors withholds the subject the mirrors still hold', async () => {
    const r = await restoreFromMirrors({ connector: fx.connector, pipeline: fx.pipeline, target: fx.database, erasureKey });
    expect(r.withheld!.byTable).toEqual(counts);
    expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(expected);
  });

  it('without the erasure key, or with another: one line, exit 2, nothing loaded or changed', async () => {
    await conn.execute(`UPDATE ${quoteId(fx.database)}.contacts SET lead_score = lead_score + 1 WHERE id % 5 = 0`);
    const live = await schemaDigest(conn, fx.database, fx.tables);
    const none = await runCliCapture(['restore', '--source', fx.url, '--from', plain, '--yes']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/the erasure ledger holds 1 erasure: give --erasure-key-file FILE/);
    expect(none.stderr.trim().split('\n').filter((l) => !/^\s*hint:/i.test(l))).toHaveLength(1);
    const otherFile = join(root, 'other.key');
    await writeNewKey(otherFile);
    const other = await runCliCapture(['restore', '--source', fx.url, '--from', gz, '--mode', 'merge', '--where', `contacts.id IN (${ids[0]})`, '--erasure-key-file', otherFile]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/made with erasure key id [0-9a-f]{32}; the key in .* has id [0-9a-f]{32}/);
    expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(live);
    const left = await conn.query(`SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?`, [`${fx.database}\\_\\_dp\\_restore%`]);
    expect(left).toEqual([]);
  });
});
