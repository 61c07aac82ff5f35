/**
 * Tables a sync cannot copy exactly are refused by name before anything is written, and verify
 * names them (issue #12, classes 5, 16, 17). Split from exactness.test.ts, with the same setup.
 */
import { describe, expect, it } from 'vitest';
import { readServerInfo } from '../../../src/db/server-info.js';
import { UnsupportedTableError } from '../../../src/errors.js';
import { installCapture, removeCapture } from '../../../sync/capture/capture.js';
import { runIncrementalSync } from '../../../sync/incremental/run-incremental.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { verifyMirrors } from '../../../sync/verify/verify.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';
import { exactTableDigest } from '../../helpers/exact-digest.js';
import { useScratchSchema } from '../../helpers/scratch-schema.js';

const s = useScratchSchema('exact');
const { q } = s;
const resetSchema = () => s.reset();
const expectMirrorExact = (table: string) => s.expectMirrorExact(table);
/** MariaDB's system-versioned tables (MySQL has none: there only the MyISAM table is refused). */
const isMaria = async () => (await readServerInfo(s.conn)).flavor === 'mariadb';

describe('what cannot be copied is refused by name, and nothing is half done', () => {
  it('a system-versioned table and a MyISAM table: sync refuses them all before writing, verify exits 3 naming them', async () => {
    await resetSchema();
    const maria = await isMaria();
    const refused = maria ? ['legacy', 'versioned'] : ['legacy'];
    await s.conn.execute(`CREATE TABLE ${q('ok_table')} (id INT PRIMARY KEY) ENGINE=InnoDB`);
    if (maria) await s.conn.execute(`CREATE TABLE ${q('versioned')} (id INT PRIMARY KEY, v INT) ENGINE=InnoDB WITH SYSTEM VERSIONING`);
    await s.conn.execute(`CREATE TABLE ${q('legacy')} (id INT PRIMARY KEY) ENGINE=MyISAM`);
    await s.conn.execute(`INSERT INTO ${q('ok_table')} VALUES (1), (2)`);
    await s.conn.execute(`UPDATE ${q('ok_table')} SET id = 3 WHERE id = 2`);
    // Mirrors from an earlier sync stay as they were.
    const before = await exactTableDigest(s.conn, s.options.pipeline.reportSchema, 'kinds').catch(() => null);
    const error = await runSync(s.options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedTableError);
    expect((error as UnsupportedTableError).tables.map((t) => t.table).sort()).toEqual(refused);
    expect(await exactTableDigest(s.conn, s.options.pipeline.reportSchema, 'kinds').catch(() => null)).toEqual(before);
    const mirrors = await s.conn.query('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [
      s.options.pipeline.reportSchema,
      'ok_table',
    ]);
    expect(mirrors).toHaveLength(0);

    const cli = await runCliCapture(['sync', '--source', s.db.url, '--report', `${s.db.url}_report`]);
    expect(cli.code).toBe(2);
    if (maria) expect(cli.stderr).toMatch(/versioned \(system-versioned/);
    expect(cli.stderr).toMatch(/legacy \(engine MyISAM/);

    // Excluded, the rest syncs; verify then names the tables it could not compare and exits 3.
    await runSync({ ...s.options, exclude: refused });
    await expectMirrorExact('ok_table');
    const r = await verifyMirrors(s.options);
    expect(r.ok).toBe(false);
    expect(r.tables.filter((t) => t.problem).map((t) => t.table).sort()).toEqual(refused);
    const v = await runCliCapture(['verify', '--source', s.db.url, '--report', `${s.db.url}_report`]);
    expect(v.code).toBe(3);
    expect(v.stderr).toMatch(/legacy/);
    expect((await verifyMirrors({ ...s.options, exclude: refused })).ok).toBe(true);
  });

  it('incremental runs go on beside an excluded table, and refuse it when it is not excluded', async () => {
    await resetSchema();
    await s.conn.execute(`CREATE TABLE ${q('parent')} (id INT PRIMARY KEY, v INT) ENGINE=InnoDB`);
    await s.conn.execute(`CREATE TABLE ${q('child')} (id INT PRIMARY KEY, p INT, FOREIGN KEY (p) REFERENCES ${q('parent')} (id) ON DELETE CASCADE) ENGINE=InnoDB`);
    // An unsupported table: system-versioned on MariaDB, MyISAM on MySQL.
    const maria = await isMaria();
    await s.conn.execute(`CREATE TABLE ${q('versioned')} (id INT PRIMARY KEY) ENGINE=${maria ? 'InnoDB WITH SYSTEM VERSIONING' : 'MyISAM'}`);
    await s.conn.execute(`INSERT INTO ${q('parent')} VALUES (1, 1), (2, 2)`);
    await s.conn.execute(`INSERT INTO ${q('child')} VALUES (10, 1), (20, 2)`);
    await installCapture(s.conn, s.db.database);
    const inc = { ...s.options, exclude: ['versioned'] };
    expect((await runIncrementalSync(inc)).fullSyncReason).toMatch(/no earlier sync|predates/);
    await s.conn.execute(`DELETE FROM ${q('parent')} WHERE id = 2`);
    await s.conn.execute(`UPDATE ${q('parent')} SET v = 5 WHERE id = 1`);
    await s.conn.execute(`INSERT INTO ${q('versioned')} VALUES (1)`);
    const second = await runIncrementalSync(inc);
    expect(second.fullSyncReason).toBeUndefined();
    await expectMirrorExact('parent');
    await expectMirrorExact('child');
    await expect(runIncrementalSync(s.options)).rejects.toBeInstanceOf(UnsupportedTableError);
    await removeCapture(s.conn, s.db.database);
  });

  it('a primary key longer than 1000 bytes is refused by name; long unique and plain indexes are mirrored (MariaDB) or refused (MySQL)', async () => {
    await resetSchema();
    // MariaDB turns a long UNIQUE key of a MyISAM table into a hash key; MySQL refuses it (ER_TOO_LONG_KEY).
    const maria = await isMaria();
    const refused = maria ? ['wide_pk'] : ['wide_idx', 'wide_pk'];
    await s.conn.execute(`CREATE TABLE ${q('small')} (id INT PRIMARY KEY) ENGINE=InnoDB`);
    await s.conn.execute(`CREATE TABLE ${q('wide_pk')} (k VARCHAR(255) NOT NULL PRIMARY KEY, v INT) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
    await s.conn.execute(
      `CREATE TABLE ${q('wide_idx')} (id INT PRIMARY KEY, u VARCHAR(300), w VARCHAR(300), UNIQUE KEY (u), KEY (w)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    );
    await s.conn.execute(`INSERT INTO ${q('wide_pk')} VALUES (REPEAT('x', 255), 1)`);
    await s.conn.execute(`INSERT INTO ${q('wide_idx')} VALUES (1, REPEAT('u', 300), REPEAT('w', 300)), (2, NULL, REPEAT('w', 300))`);
    const error = await runSync(s.options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedTableError);
    expect((error as UnsupportedTableError).tables.map((t) => t.table).sort()).toEqual(refused);
    expect((error as Error).message).toMatch(/1000 bytes/);
    // Nothing of that run is left: no temporary table, no new mirror.
    const left = await s.conn.query<{ t: string }>('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [
      s.options.pipeline.reportSchema,
    ]);
    expect(left.map((r) => r.t).filter((t) => t === 'small' || t.startsWith('__dp_new'))).toEqual([]);
    await runSync({ ...s.options, exclude: refused });
    await expectMirrorExact(maria ? 'wide_idx' : 'small');
    expect((await verifyMirrors({ ...s.options, exclude: refused })).ok).toBe(true);
  });

  it('verify after a source ALTER, before the next sync, reports drift in that table instead of failing', async () => {
    await resetSchema();
    await s.conn.execute(`CREATE TABLE ${q('altered')} (id INT PRIMARY KEY, a INT) ENGINE=InnoDB`);
    await s.conn.execute(`CREATE TABLE ${q('steady')} (id INT PRIMARY KEY) ENGINE=InnoDB`);
    await s.conn.execute(`INSERT INTO ${q('altered')} VALUES (1, 1)`);
    await runSync(s.options);
    await s.conn.execute(`ALTER TABLE ${q('altered')} ADD COLUMN b INT NULL`);
    const r = await verifyMirrors(s.options);
    expect(r.ok).toBe(false);
    const t = r.tables.find((x) => x.table === 'altered')!;
    expect(t.problem).toMatch(/columns differ/);
    expect(r.tables.find((x) => x.table === 'steady')!.problem).toBeUndefined();
    await s.conn.execute(`ALTER TABLE ${q('altered')} DROP COLUMN b, MODIFY a BIGINT`);
    expect((await verifyMirrors(s.options)).ok).toBe(false);
    const v = await runCliCapture(['verify', '--source', s.db.url, '--report', `${s.db.url}_report`]);
    expect(v.code).toBe(3);
    expect(v.stderr).toMatch(/altered/);
    await runSync(s.options);
    expect((await verifyMirrors(s.options)).ok).toBe(true);
  });
});

describe('names the DDL reader cannot split', () => {
  it('a table or column name holding a line break, or a table named __dp_…, is refused by name before anything is written', async () => {
    await resetSchema();
    await s.conn.execute(`CREATE TABLE ${q('fine')} (id INT PRIMARY KEY) ENGINE=InnoDB`);
    await s.conn.execute(`CREATE TABLE ${q('two\nlines')} (id INT PRIMARY KEY) ENGINE=InnoDB`);
    await s.conn.execute(`CREATE TABLE ${q('col_break')} (id INT PRIMARY KEY, \`a\r\nb\` INT) ENGINE=InnoDB`);
    // The __dp_ prefix marks dualpipe's own tables (temporary, shadow, old ones are dropped as
    // leftovers in the report schema): a user's table named so was skipped in silence (torture seed 10005).
    await s.conn.execute(`CREATE TABLE ${q('__dp_user')} (id INT PRIMARY KEY) ENGINE=InnoDB`);
    // Its mirror would collide with the analysts' freshness view in the report schema.
    await s.conn.execute(`CREATE TABLE ${q('dualpipe_freshness')} (id INT PRIMARY KEY) ENGINE=InnoDB`);
    const error = await runSync(s.options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedTableError);
    expect((error as UnsupportedTableError).tables.map((t) => t.table).sort()).toEqual(['__dp_user', 'col_break', 'dualpipe_freshness', 'two\nlines']);
    expect((error as Error).message).toContain('"two\\nlines"');
    expect((error as Error).message).not.toContain('\n');
  });
});
