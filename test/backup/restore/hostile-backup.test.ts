/**
 * A backup directory is untrusted input. A manifest naming a hostile table, a chunk path that leaves
 * the backup, wrong types or absurd numbers, or DDL carrying a second statement is refused, with one
 * clear line, by `dualpipe restore` and by `dualpipe backup verify`; `dualpipe backup list` shows it
 * as damaged; and nothing on the server changes (same schemas, same rows in source and mirrors).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../../backup/format/manifest.js';
import { runBackup } from '../../../backup/dump/run-backup.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';
import { schemaDigest } from '../../helpers/table-digest.js';

let fx: CrmFixture;
let conn: SqlConnection;
let parent: string;
let good: string;
let cases = 0;

beforeAll(async () => {
  fx = await createCrmFixture('hostile_backup', 0.01);
  conn = await fx.connector.connect();
  await runSync({ pipeline: fx.pipeline });
  parent = mkdtempSync(join(tmpdir(), 'dualpipe-hostile-'));
  good = (await runBackup({ pipeline: fx.pipeline, to: join(parent, 'good') })).dir;
});

afterAll(async () => {
  await conn?.close();
  await fx?.drop();
  if (parent) rmSync(parent, { recursive: true, force: true });
});

type Edit = (m: Manifest & Record<string, unknown>) => void;

/** A copy of the good backup, alone in its own folder (for `backup list`), with its manifest edited. */
function hostileCopy(edit: Edit): { folder: string; dir: string } {
  const folder = join(parent, `case${cases++}`);
  mkdirSync(folder);
  const dir = join(folder, 'dualpipe-20260101T000000Z');
  cpSync(good, dir, { recursive: true });
  const file = join(dir, 'manifest.json');
  const m = JSON.parse(readFileSync(file, 'utf8')) as Manifest & Record<string, unknown>;
  edit(m);
  writeFileSync(file, JSON.stringify(m));
  return { folder, dir };
}

/** Every schema named after the fixture, and every row of the source and of the mirrors. */
async function state(): Promise<{ schemas: string[]; source: Record<string, string>; mirrors: Record<string, string> }> {
  const rows = await conn.query<{ s: string }>('SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ? ORDER BY 1', [
    `${fx.database}%`,
  ]);
  return {
    schemas: rows.map((r) => r.s),
    source: await schemaDigest(conn, fx.database, fx.tables),
    mirrors: await schemaDigest(conn, fx.reportSchema, fx.tables),
  };
}

const dropTarget = () => `x\`; DROP DATABASE \`${fx.database}\`; --`;

/**
 * The hostile manifests: each edit, and what the one-line refusal must say. Names aim at this
 * test's own schema, so a parser that let them through would show in `state()`.
 */
const CASES: { what: string; edit: Edit; says: RegExp }[] = [
  {
    what: 'a table named x`; DROP DATABASE …; --',
    edit: (m) => void (m.tables[0]!.name = dropTarget()),
    // Any name is acceptable, quoted; this one is refused because it is not the table its DDL creates.
    says: /invalid manifest field tables\.0\.name: table x`; DROP DATABASE .*: the DDL does not start with CREATE TABLE/,
  },
  {
    what: 'a table named with a dot (another schema)',
    edit: (m) => void (m.tables[0]!.name = 'mysql.user'),
    says: /invalid manifest field tables\.0\.name/,
  },
  {
    what: 'a column named with a backtick',
    edit: (m) => void (m.tables[0]!.columns[0]!.name = 'id` INT); DROP DATABASE crm; --'),
    says: /invalid manifest field tables\.0\.columns\.0\.name/,
  },
  {
    what: 'a chunk path ../../etc/passwd',
    edit: (m) => void (m.tables[0]!.chunks[0]!.file = '../../etc/passwd'),
    says: /invalid manifest field tables\.0\.chunks\.0\.file: must be chunks\/NNNN-NNNNN\.tsv\[\.gz\|\.zst\]/
  },
  {
    what: 'a chunk path that climbs out of chunks/',
    edit: (m) => void (m.tables[0]!.chunks[0]!.file = 'chunks/../../../../etc/passwd.tsv.gz'),
    says: /invalid manifest field tables\.0\.chunks\.0\.file/,
  },
  {
    what: 'an absolute chunk path',
    edit: (m) => void (m.tables[0]!.chunks[0]!.file = '/etc/shadow'),
    says: /invalid manifest field tables\.0\.chunks\.0\.file/,
  },
  {
    what: 'a huge row count',
    edit: (m) => void (m.tables[0]!.rows = 1e300),
    says: /invalid manifest field tables\.0\.rows/,
  },
  {
    what: 'a huge raw chunk size',
    edit: (m) => void (m.tables[0]!.chunks[0]!.rawBytes = Number.MAX_VALUE),
    says: /invalid manifest field tables\.0\.chunks\.0\.rawBytes/,
  },
  {
    what: 'a negative byte count',
    edit: (m) => void (m.tables[0]!.chunks[0]!.bytes = -1),
    says: /invalid manifest field tables\.0\.chunks\.0\.bytes/,
  },
  {
    what: 'a row count of the wrong type',
    edit: (m) => void ((m.tables[0] as unknown as Record<string, unknown>).rows = '12; DROP TABLE contacts'),
    says: /invalid manifest field tables\.0\.rows/,
  },
  {
    what: 'a table list of the wrong type',
    edit: (m) => void ((m as Record<string, unknown>).tables = { contacts: 'all of them' }),
    says: /invalid manifest field tables/,
  },
  {
    what: 'an unknown field',
    edit: (m) => void (m.postRestoreSql = `DROP DATABASE \`${fx.database}\``),
    says: /invalid manifest field|postRestoreSql/,
  },
  {
    what: 'a hostile source schema name',
    edit: (m) => void (m.sourceSchema = dropTarget()),
    says: /invalid manifest field sourceSchema/,
  },
];

describe('a hostile backup directory', () => {
  it.each(CASES.map((c) => [c.what, c] as const))('%s: refused by restore and verify, damaged in list, nothing written', async (_what, c) => {
    const { folder, dir } = hostileCopy(c.edit);
    const before = await state();

    const restore = await runCliCapture(['restore', '--source', fx.url, '--from', dir, '--yes']);
    expect(restore.code, restore.stderr).toBe(5); // damaged data
    expect(restore.stderr.trim().split('\n')).toHaveLength(1);
    expect(restore.stderr).toMatch(/^dualpipe: /);
    expect(restore.stderr).toContain(join(dir, 'manifest.json'));
    expect(restore.stderr).toMatch(c.says);
    expect(restore.stdout).toBe('');

    const verify = await runCliCapture(['backup', 'verify', dir, '--source', fx.url]);
    expect(verify.code, verify.stderr).toBe(5);
    expect(verify.stderr.trim().split('\n')).toHaveLength(1);
    expect(verify.stderr).toMatch(c.says);

    const list = await runCliCapture(['backup', 'list', '--in', folder, '--json']);
    expect(list.code, list.stderr).toBe(0);
    const entries = (JSON.parse(list.stdout) as { backups: { name: string; complete: boolean; problem: string | null }[] }).backups;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ name: 'dualpipe-20260101T000000Z', complete: false });
    expect(entries[0]!.problem).toMatch(c.says);
    const text = await runCliCapture(['backup', 'list', '--in', folder]);
    expect(text.stdout).toMatch(/^dualpipe-20260101T000000Z .* INCOMPLETE \(.*invalid manifest field/);

    expect(await state()).toEqual(before);
  });

  it('DDL carrying a second statement is refused before any write', async () => {
    const { dir } = hostileCopy((m) => {
      const t = m.tables.find((x) => x.name === 'contacts')!;
      t.ddl = `${t.ddl};\nDROP DATABASE \`${fx.database}\``;
    });
    const before = await state();
    const r = await runCliCapture(['restore', '--source', fx.url, '--from', dir, '--yes']);
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^dualpipe: .*table contacts: the DDL holds more than one statement/);
    expect(await state()).toEqual(before);
  });

  it('DDL for another table than the one named is refused before any write', async () => {
    const { dir } = hostileCopy((m) => {
      const t = m.tables.find((x) => x.name === 'contacts')!;
      t.ddl = t.ddl.replace(/^CREATE TABLE `contacts`/, 'CREATE TABLE `mysql`.`user`');
    });
    const before = await state();
    const r = await runCliCapture(['restore', '--source', fx.url, '--from', dir, '--yes']);
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toMatch(/table contacts: the DDL does not start with CREATE TABLE `contacts` \(/);
    expect(await state()).toEqual(before);
  });

  it('a table named like SQL but without a backtick is only ever a quoted name: refused as not fitting, nothing written', async () => {
    const { dir } = hostileCopy((m) => {
      const t = m.tables.find((x) => x.name === 'contacts')!;
      const name = `contacts; DROP DATABASE ${fx.database}; --`;
      t.ddl = t.ddl.replace(/^CREATE TABLE `contacts`/, `CREATE TABLE \`${name}\``);
      t.name = name;
    });
    const before = await state();
    const r = await runCliCapture(['restore', '--source', fx.url, '--from', dir, '--yes']);
    expect(r.code, r.stderr).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^dualpipe: /);
    expect(await state()).toEqual(before);
  });
});
