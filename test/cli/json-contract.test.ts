/**
 * The `--json` contract, command by command (README "JSON output"): every command `dualpipe --help`
 * lists, run with `--json` once where it succeeds and once where it fails, prints exactly one JSON
 * document that validates against its published schema (schemas/json/, ajv), with `ok`, `error` on
 * failure, ISO times and no secret. `schedule` runs as a child process in
 * json-contract-schedule.test.ts (it stops on a signal); `db start` in json-contract-db.test.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualify } from '../../src/db/quote.js';
import { expectContract } from '../helpers/json-contract.js';
import { runCliCapture } from '../helpers/run-cli-capture.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let db: TestDatabase;
let dir: string;
const BAD_URL = 'mysql://root:s3cret-in-url@127.0.0.1:1/crm';

beforeAll(async () => {
  db = await createTestDatabase('json_contract');
  dir = mkdtempSync(join(tmpdir(), 'dp-json-'));
});

afterAll(async () => {
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs a command with --json against the test schema (or `url`), log level left to the contract (warn). */
const run = (argv: string[], url = db.url) =>
  runCliCapture([...argv, '--json', '--source', url], { DUALPIPE_LOG_LEVEL: undefined }, dir);

/** Runs and checks a command that must succeed. */
const ok = async (schema: string, argv: string[]) => expectContract(await run(argv), schema, 0);

/** Runs and checks a command that must fail with `exit`; the password of BAD_URL never shows. */
async function fails(schema: string, exit: number, argv: string[], url?: string) {
  const r = await run(argv, url);
  expect(r.stdout + r.stderr).not.toContain('s3cret-in-url');
  return expectContract(r, schema, exit) as { error: { code: string } } & Record<string, unknown>;
}

describe('dualpipe --json: one document per run, valid against schemas/json', () => {
  it('usage errors from commander, before any command runs', async () => {
    expect((await fails('status', 2, ['status', '--bogus'])).error.code).toBe('USAGE');
    expect((await fails('status', 2, ['no-such-command'])).error.code).toBe('USAGE');
  });

  it('migrate, migrate --status, seed', async () => {
    expect(await ok('migrate', ['migrate'])).toMatchObject({ schema: db.database });
    const s = await ok('migrate', ['migrate', '--status']);
    expect((s.migrations as { appliedAt: string }[])[0]!.appliedAt).toMatch(/Z$/);
    expect((await fails('migrate', 1, ['migrate'], BAD_URL)).error.code).toBe('CONNECTION');
    await ok('seed', ['seed', '--scale', '0.002']);
    expect((await fails('seed', 2, ['seed', '--scale', '0'])).error.code).toBe('USAGE');
  });

  it('capture install|status|remove, binlog capture, then triggers again for the incremental sync', async () => {
    await ok('capture-install', ['capture', 'install']);
    expect(await ok('capture-status', ['capture', 'status'])).toMatchObject({ installed: true });
    await ok('capture-remove', ['capture', 'remove']);
    expect(await ok('capture-install', ['capture', 'install', '--method', 'binlog'])).toMatchObject({ method: 'binlog', captureId: null, installed: false });
    expect(await ok('capture-status', ['capture', 'status'])).toMatchObject({ method: 'binlog', binlog: { resume: null } });
    expect((await fails('capture-install', 2, ['capture', 'install', '--method', 'bogus'])).error.code).toBe('USAGE');
    await ok('capture-install', ['capture', 'install']);
    await fails('capture-status', 1, ['capture', 'status'], BAD_URL);
    await fails('capture-install', 1, ['capture', 'install'], BAD_URL);
    await fails('capture-remove', 1, ['capture', 'remove'], BAD_URL);
  });

  it('sync, sync --dry-run, sync --incremental, sync --verify', async () => {
    expect(await ok('sync', ['sync'])).toMatchObject({ kind: 'full', dryRun: false });
    expect(await ok('sync', ['sync', '--dry-run'])).toMatchObject({ dryRun: true });
    expect(await ok('sync', ['sync', '--incremental'])).toMatchObject({ kind: 'incremental' });
    expect(await ok('sync', ['sync', '--verify'])).toMatchObject({ verify: { ok: true } });
    expect((await fails('sync', 2, ['sync', '--paranoid'])).error.code).toBe('USAGE');
    await fails('sync', 1, ['sync'], BAD_URL);
  });

  it('verify: ok, and drift as ok:false with the tables and exit 3', async () => {
    await ok('verify', ['verify']);
    const conn = await db.connector.connect();
    try {
      await conn.execute(`DELETE FROM ${qualify(`${db.database}_report`, 'contacts')} LIMIT 1`);
    } finally {
      await conn.close();
    }
    const drift = await fails('verify', 3, ['verify']);
    expect(drift.error.code).toBe('DRIFT');
    expect((drift.tables as unknown[]).length).toBeGreaterThan(0);
    await fails('verify', 1, ['verify'], BAD_URL);
    await ok('sync', ['sync']);
  });

  it('check, doctor, grants', async () => {
    await ok('check', ['check']);
    await fails('check', 1, ['check'], BAD_URL);
    const d = await run(['doctor']);
    expect([0, 1]).toContain(d.code);
    expectContract(d, 'doctor', d.code);
    await fails('doctor', 1, ['doctor'], BAD_URL);
    await ok('grants', ['grants']);
    expect((await fails('grants', 2, ['grants', '--roles', 'nope'])).error.code).toBe('USAGE');
  });

  it('backup, keygen, list, verify, prune', async () => {
    const to = join(dir, 'backups');
    const b = await ok('backup', ['backup', '--to', to, '--compress', 'none', '--create-dirs']);
    expect((await fails('backup', 2, ['backup'])).error.code).toBe('USAGE');
    const key = join(dir, 'key');
    await ok('backup-keygen', ['backup', 'keygen', key]);
    await fails('backup-keygen', 2, ['backup', 'keygen', key]);
    const list = await ok('backup-list', ['backup', 'list', '--in', to]);
    expect((list.backups as { at: string }[])[0]!.at).toMatch(/Z$/);
    await fails('backup-list', 2, ['backup', 'list', '--in', join(dir, 'none')]);
    await ok('backup-verify', ['backup', 'verify', b.dir as string]);
    await fails('backup-verify', 2, ['backup', 'verify', join(dir, 'none')]);
    await ok('backup-prune', ['backup', 'prune', '--in', to, '--keep-last', '5', '--dry-run']);
    expect((await fails('backup-prune', 2, ['backup', 'prune', '--in', to, '--keep-last', '0'])).error.code).toBe('USAGE');
  });

  it('restore --dry-run, a real restore, --drop-previous', async () => {
    const from = join(dir, 'backups');
    const into = `${db.database}_r`;
    expect(await ok('restore', ['restore', '--from', from, '--into', into, '--dry-run'])).toMatchObject({ dryRun: true });
    const r = await ok('restore', ['restore', '--from', from, '--into', into, '--yes']);
    expect(r.backupFinishedAt).toMatch(/Z$/);
    await ok('restore', ['restore', '--into', into, '--drop-previous']);
    await fails('restore', 2, ['restore', '--from', join(dir, 'none'), '--into', into, '--yes']);
    expect((await fails('restore', 2, ['restore'])).error.code).toBe('USAGE');
  });

  it('report new, list, check (a good report and one with a SQL error)', async () => {
    const reports = join(dir, 'reports');
    mkdirSync(reports, { recursive: true });
    expect(await ok('report-new', ['report', 'new', 'json_probe', '--dir', reports])).toMatchObject({ table: 'rpt_json_probe' });
    expect((await fails('report-new', 2, ['report', 'new', 'json_probe', '--dir', reports])).error.code).toBe('USAGE');
    const body = (select: string) =>
      `-- Contacts, one row each\nCREATE TABLE {{target}} (contact_id BIGINT NOT NULL) ENGINE=MyISAM;\nINSERT INTO {{target}} (contact_id) ${select};\n`;
    writeFileSync(join(reports, 'rpt_json_probe.sql'), body('SELECT id FROM {{contacts}}'));
    const list = await ok('report-list', ['report', 'list', '--reports-dir', reports]);
    expect(list.reports).toEqual([expect.objectContaining({ name: 'rpt_json_probe', mirrors: ['contacts'] })]);
    const probe = (okay: boolean): unknown => expect.arrayContaining([expect.objectContaining({ report: 'rpt_json_probe', ok: okay })]);
    expect((await ok('report-check', ['report', 'check', 'json_probe', '--reports-dir', reports])).reports).toEqual(probe(true));
    writeFileSync(join(reports, 'rpt_json_probe.sql'), body('SELECT no_such_column FROM {{contacts}}'));
    const bad = await fails('report-check', 2, ['report', 'check', 'json_probe', '--reports-dir', reports]);
    expect(bad.reports).toEqual(probe(false));
    expect(bad.error.code).toBe('USAGE');
  });

  it('status, status --max-age, status --check', async () => {
    const s = await ok('status', ['status']);
    expect(s.now).toMatch(/Z$/);
    expect((await fails('status', 2, ['status', '--max-age', 'soon'])).error.code).toBe('USAGE');
    await fails('status', 1, ['status'], BAD_URL);
    const c = await run(['status', '--check']);
    const doc = expectContract(c, 'status-check', c.code) as { check: { code: number } };
    expect(doc.check.code).toBe(c.code);
    const unknown = await fails('status-check', 3, ['status', '--check'], BAD_URL);
    expect(unknown.error.code).toBe('CHECK_VERDICT');
  });

  it('db status, db stop, db url (no embedded server in this state directory)', async () => {
    expect(await ok('db-status', ['db', 'status'])).toMatchObject({ running: false });
    expect(await ok('db-stop', ['db', 'stop'])).toMatchObject({ stopped: false });
    expect((await fails('db-url', 2, ['db', 'url'])).error.code).toBe('USAGE');
    expect((await fails('db-start', 2, ['db', 'start', '--port', '0'])).error.code).toBe('USAGE');
  });

  it('log lines (here the failure, written to --log-file) carry ISO times with Z', async () => {
    const file = join(dir, 'log.jsonl');
    const r = await runCliCapture(['status', '--json', '--log-file', file, '--source', BAD_URL], { DUALPIPE_LOG_LEVEL: undefined }, dir);
    expectContract(r, 'status', 1);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { time: unknown });
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});
