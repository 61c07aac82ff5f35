/**
 * `dualpipe grants --apply` on the real server, then every job run as its role's account: each
 * succeeds at its job and is refused everything else (the analyst reading a source table, the
 * sync writing one, …).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installCapture } from '../../../sync/capture/capture.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { createConnector } from '../../../src/db/mysql-driver.js';
import { qualify, quoteId } from '../../../src/db/quote.js';
import { internalSchemaOf } from '../../../src/catalog/internal-schema.js';
import type { GrantsResult } from '../../../ops/grants/apply-grants.js';
import { ROLES, type Role } from '../../../ops/grants/role-privileges.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { contactWithTree } from '../../helpers/erase-subject.js';
import { runForget } from '../../../ops/forget/run-forget.js';
import { readErasureKey } from '../../../src/erasure/erasure-key.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';
import { testServerTarget } from '../../helpers/test-database.js';

const PREFIX = `g${randomBytes(3).toString('hex')}_`;
const ANALYST_PASSWORD = `an'al\\yst-${randomBytes(4).toString('hex')}`;
let fx: CrmFixture;
let sibling: string;
let dir: string;
let keyFile: string;
const passwords = new Map<Role, string>();
const sessions: SqlConnection[] = [];

/** A session as the role's account (no default schema). */
async function as(role: Role): Promise<SqlConnection> {
  const c = await createConnector({ ...testServerTarget(), user: `${PREFIX}${role}`, password: passwords.get(role)! }).connect({ database: null });
  sessions.push(c);
  return c;
}

/** The CLI run as the role's account. */
function cliAs(role: Role, args: string[]) {
  const t = testServerTarget();
  const where = t.socketPath ? `localhost/${fx.database}?socket=${encodeURIComponent(t.socketPath)}` : `${t.host}:${t.port}/${fx.database}`;
  return runCliCapture([...args, '--source', `mysql://${PREFIX}${role}@${where}`], { DUALPIPE_SOURCE_PASSWORD: passwords.get(role)! });
}

const denied = /denied/i;
const src = (t: string) => qualify(fx.database, t);
const rep = (t: string) => qualify(fx.reportSchema, t);

beforeAll(async () => {
  fx = await createCrmFixture('grants_roles');
  dir = mkdtempSync(join(tmpdir(), 'dualpipe-grants-'));
  keyFile = join(mkdtempSync(join(tmpdir(), 'dualpipe-grants-key-')), 'erasure.key');
  writeFileSync(keyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  await fx.connector.connect().then(async (c) => {
    await installCapture(c, fx.database);
    // A schema that an unescaped `_` in the report schema's GRANT would match too.
    sibling = `${fx.database}Xreport`;
    await c.execute(`CREATE DATABASE ${quoteId(sibling)}`);
    await c.execute(`CREATE TABLE ${qualify(sibling, 'secret')} (id INT PRIMARY KEY)`);
    await c.close();
  });
});

afterAll(async () => {
  await Promise.all(sessions.map((s) => s.close()));
  const root = await createConnector(testServerTarget()).connect({ database: null });
  for (const r of ROLES) await root.execute(`DROP USER IF EXISTS '${PREFIX}${r}'@'%'`);
  if (sibling) await root.execute(`DROP DATABASE IF EXISTS ${quoteId(sibling)}`);
  await root.close();
  await fx?.drop();
  rmSync(dir, { recursive: true, force: true });
  if (keyFile) rmSync(dirname(keyFile), { recursive: true, force: true });
});

describe('grants', () => {
  it('prints the SQL with passwords masked and changes nothing without --apply', async () => {
    const r = await runCliCapture(['grants', '--prefix', PREFIX, '--source', fx.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`CREATE USER IF NOT EXISTS '${PREFIX}sync'@'%' IDENTIFIED BY '***';`);
    const root = await fx.connector.connect();
    expect(await root.query('SELECT 1 FROM mysql.user WHERE User LIKE ?', [`${PREFIX}%`])).toEqual([]);
    await root.close();
  });

  it('creates the accounts, showing generated passwords once and never one from the environment', async () => {
    const r = await runCliCapture(['grants', '--apply', '--json', '--prefix', PREFIX, '--source', fx.url], { DUALPIPE_ANALYST_PASSWORD: ANALYST_PASSWORD });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(ANALYST_PASSWORD);
    const out = JSON.parse(r.stdout) as GrantsResult;
    for (const p of out.passwords) passwords.set(p.role, p.password);
    expect([...passwords.keys()].sort()).toEqual(['backup', 'restore', 'sync', 'writer']);
    passwords.set('analyst', ANALYST_PASSWORD);
    expect(out.servers[0]!.accounts.find((a) => a.role === 'analyst')!.password).toBe('env');
    // Again: existing accounts keep their passwords, and none is printed.
    const again = await runCliCapture(['grants', '--apply', '--json', '--prefix', PREFIX, '--source', fx.url]);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as GrantsResult).passwords).toEqual([]);
  });

  it('sync: full and incremental syncs and a verify, and never writes a source table', async () => {
    expect((await cliAs('sync', ['sync'])).code).toBe(0);
    const writer = await as('writer');
    await writer.execute(`UPDATE ${src('contacts')} SET first_name = 'Grant' WHERE id = 3`);
    for (let i = 0; i < 2; i++) {
      // The first incremental run after a full one primes the shadow set; both must stay incremental.
      const r = await cliAs('sync', ['sync', '--incremental', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { fullSyncReason?: string; notes: string[] };
      expect(out.fullSyncReason).toBeUndefined();
      expect(out.notes.join()).not.toMatch(/PROCESS|change log could not/);
    }
    const root = await fx.connector.connect();
    expect(await root.query(`SELECT * FROM ${src('__dp_changes')}`)).toEqual([]);
    await root.close();
    expect((await cliAs('sync', ['verify'])).code).toBe(0);
    const sync = await as('sync');
    await expect(sync.execute(`INSERT INTO ${src('pipeline_stages')} (name) VALUES ('x')`)).rejects.toThrow(denied);
    await expect(sync.execute(`UPDATE ${src('contacts')} SET first_name = 'x' WHERE id = 3`)).rejects.toThrow(denied);
    await expect(sync.execute(`DELETE FROM ${src('contacts')} WHERE id = 3`)).rejects.toThrow(denied);
    await expect(sync.execute(`CREATE TABLE ${src('x')} (id INT)`)).rejects.toThrow(denied);
    await expect(sync.execute(`DROP TABLE ${src('contacts')}`)).rejects.toThrow(denied);
  });

  it('analyst: reads the report schema only', async () => {
    const analyst = await as('analyst');
    const rows = await analyst.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${rep('rpt_customer_360')}`);
    expect(Number(rows[0]!.n)).toBeGreaterThan(0);
    await expect(analyst.query(`SELECT * FROM ${src('contacts')} LIMIT 1`)).rejects.toThrow(denied);
    await expect(analyst.query(`SELECT * FROM ${qualify(sibling, 'secret')}`)).rejects.toThrow(denied);
    await expect(analyst.execute(`DELETE FROM ${rep('contacts')}`)).rejects.toThrow(denied);
    await expect(analyst.execute(`CREATE TABLE ${rep('mine')} (id INT)`)).rejects.toThrow(denied);
  });

  it('analyst: after full and incremental syncs sees only mirrors, reports and dualpipe_freshness, which names the last sync', async () => {
    const analyst = await as('analyst');
    const shown = (await analyst.query<Record<string, string>>(`SHOW TABLES FROM ${quoteId(fx.reportSchema)}`)).map((r) => Object.values(r)[0]!).sort();
    const fresh = await analyst.query<{ table_name: string; kind: string; snapshot_at: unknown; run_id: number | string }>(
      `SELECT * FROM ${rep('dualpipe_freshness')} ORDER BY table_name`,
    );
    expect(shown).toEqual([...fresh.map((f) => f.table_name), 'dualpipe_freshness'].sort());
    const root = await fx.connector.connect();
    const sources = await root.query<{ t: string }>(
      "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME NOT LIKE '\\_\\_dp\\_%' ORDER BY t",
      [fx.database],
    );
    const last = await root.query<{ id: number | string }>(
      `SELECT MAX(id) AS id FROM ${qualify(internalSchemaOf(fx.reportSchema), '_dualpipe_runs')} WHERE kind = 'sync' AND status = 'succeeded'`,
    );
    await root.close();
    expect(fresh.filter((f) => f.kind === 'mirror').map((f) => f.table_name).sort()).toEqual(sources.map((r) => r.t).sort());
    expect(fresh.filter((f) => f.kind === 'report').map((f) => f.table_name)).toContain('rpt_customer_360');
    expect(new Set(fresh.map((f) => Number(f.run_id)))).toEqual(new Set([Number(last[0]!.id)]));
    expect(fresh.every((f) => f.snapshot_at !== null)).toBe(true);
    // No grant on the internal schema: the view reads it with its definer's privileges.
    await expect(analyst.query(`SELECT * FROM ${qualify(internalSchemaOf(fx.reportSchema), '__dp_freshness')}`)).rejects.toThrow(denied);
  });

  it('writer: DML on the source, nothing else', async () => {
    const writer = await as('writer');
    await writer.execute(`INSERT INTO ${src('pipeline_stages')} (name, position, probability) VALUES ('grants', 99, 0.5)`);
    await writer.execute(`DELETE FROM ${src('pipeline_stages')} WHERE name = 'grants'`);
    await expect(writer.query(`SELECT * FROM ${rep('contacts')} LIMIT 1`)).rejects.toThrow(denied);
    await expect(writer.execute(`CREATE TABLE ${src('x')} (id INT)`)).rejects.toThrow(denied);
    await expect(writer.execute(`ALTER TABLE ${src('contacts')} ADD COLUMN x INT`)).rejects.toThrow(denied);
  });

  it('backup: dumps the mirrors and the erasure ledger, and writes neither the source nor a mirror', async () => {
    // A customer forgotten (as a DBA) first: the backup account must carry the report-side ledger.
    const forgot = await runForget({ pipeline: fx.pipeline, where: `contacts.id IN (${await contactWithTree(await as('writer'), fx.database)})`, reason: 'grants test', key: await readErasureKey(keyFile) });
    expect(forgot.subjects).toBe(1);
    const r = await cliAs('backup', ['backup', '--to', dir]);
    expect(r.code, r.stderr).toBe(0);
    // The sync account recorded where a point-in-time recovery starts whenever the server can tell:
    // binlog on, and on MySQL GTIDs on (the MySQL test server runs with both; MariaDB's without a binlog).
    const root = await fx.connector.connect();
    const [server] = await root.query<{ b: number | string; v: string }>('SELECT @@GLOBAL.log_bin AS b, VERSION() AS v');
    const gtid = await root.query<{ g: string }>('SELECT @@GLOBAL.gtid_mode AS g').then((x) => x[0]!.g, () => 'OFF');
    await root.close();
    const recordable = Number(server!.b) === 1 && (/mariadb/i.test(server!.v) || gtid === 'ON');
    const manifests = readdirSync(dir).filter((d) => existsSync(join(dir, d, 'manifest.json')));
    const manifest = JSON.parse(readFileSync(join(dir, manifests.sort().at(-1)!, 'manifest.json'), 'utf8')) as { binlog: unknown; binlogNote?: string; erasureLedger?: { erasures: unknown[] } };
    expect(manifest.erasureLedger?.erasures).toHaveLength(1);
    if (recordable) expect(manifest.binlog, manifest.binlogNote).not.toBeNull();
    else expect(manifest.binlog).toBeNull();
    const backup = await as('backup');
    await expect(backup.query(`SELECT * FROM ${src('contacts')} LIMIT 1`)).rejects.toThrow(denied);
    await expect(backup.execute(`DELETE FROM ${rep('contacts')}`)).rejects.toThrow(denied);
    await expect(backup.execute(`DROP TABLE ${rep('contacts')}`)).rejects.toThrow(denied);
  });

  it('restore: restores into the source, rolls back, and touches nothing else', async () => {
    // MySQL has the binary log on by default: there an account without SUPER may create triggers
    // only with log_bin_trust_function_creators=1. The restore refuses before the swap, naming that
    // fix (which `grants` notes too); the DBA then sets it, as this test does for the run.
    const root = await createConnector(testServerTarget()).connect({ database: null });
    const [server] = await root.query<{ b: string | number; t: string | number }>(
      'SELECT @@GLOBAL.log_bin AS b, @@GLOBAL.log_bin_trust_function_creators AS t',
    );
    const needsTrust = Number(server!.b) === 1 && Number(server!.t) !== 1;
    if (needsTrust) {
      const refused = await cliAs('restore', ['restore', '--from', dir, '--yes', '--erasure-key-file', keyFile]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/cannot create triggers[\s\S]*log_bin_trust_function_creators=1/);
      await root.execute('SET GLOBAL log_bin_trust_function_creators = 1');
    }
    try {
      await restoreAsRole();
    } finally {
      if (needsTrust) await root.execute('SET GLOBAL log_bin_trust_function_creators = 0');
      await root.close();
    }
  });
});

/** The restore role's restore, rollback, restore again and drop of the previous tables, then the sync role's runs. */
async function restoreAsRole(): Promise<void> {
  const r = await cliAs('restore', ['restore', '--from', dir, '--yes', '--erasure-key-file', keyFile]);
  expect(r.code, r.stderr).toBe(0);
  expect((await cliAs('restore', ['restore', '--rollback', '--yes'])).code).toBe(0);
  expect((await cliAs('restore', ['restore', '--from', dir, '--yes', '--erasure-key-file', keyFile])).code).toBe(0);
  expect((await cliAs('restore', ['restore', '--drop-previous'])).code).toBe(0);
  // Capture came back on (under a new id): the sync account's next run is a full one, then verifies.
  expect((await cliAs('sync', ['sync', '--incremental'])).code).toBe(0);
  expect((await cliAs('sync', ['verify'])).code).toBe(0);
  const restore = await as('restore');
  await expect(restore.query(`SELECT * FROM ${rep('contacts')} LIMIT 1`)).rejects.toThrow(denied);
  await expect(restore.execute(`CREATE DATABASE ${quoteId(`${PREFIX}other`)}`)).rejects.toThrow(denied);
  await expect(restore.execute('CREATE USER IF NOT EXISTS x@localhost')).rejects.toThrow(denied);
  // The erasure ledger: read and appended to, never changed or dropped.
  const ledger = internalSchemaOf(fx.database);
  expect(Number((await restore.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${qualify(ledger, 'erasure_ledger')}`))[0]!.n)).toBe(1);
  await expect(restore.execute(`DROP TABLE ${qualify(ledger, 'erasure_keys')}`)).rejects.toThrow(denied);
  await expect(restore.execute(`DELETE FROM ${qualify(ledger, 'erasure_keys')}`)).rejects.toThrow(/denied|append-only/i);
}
