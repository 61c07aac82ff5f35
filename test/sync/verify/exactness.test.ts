/**
 * Regression tests for divergences found on schemas the first version never saw (issue #12):
 * each one passed `verify` or failed a whole run before. Mirrors are compared with an exact
 * digest of our own (strings as HEX, FLOAT through DOUBLE, every column, sorted rows) that
 * shares no SQL with the product's checksums.
 */
import { describe, expect, it } from 'vitest';
import { runSync } from '../../../sync/full/run-sync.js';
import { verifyMirrors } from '../../../sync/verify/verify.js';
import { exactTableDigest } from '../../helpers/exact-digest.js';
import { useScratchSchema } from '../../helpers/scratch-schema.js';

const s = useScratchSchema('exact');
const { q, m } = s;
const resetSchema = () => s.reset();
const expectMirrorExact = (table: string) => s.expectMirrorExact(table);

describe('verify sees every difference an exact comparison sees', () => {
  it('a table shaped like sysbench sbtest (columns id, k, c, pad): half its mirror rows deleted is drift', async () => {
    await resetSchema();
    await s.conn.execute(
      `CREATE TABLE ${q('sbtest1')} (id INT NOT NULL PRIMARY KEY, k INT NOT NULL DEFAULT 0, c CHAR(120) NOT NULL, pad CHAR(60) NOT NULL, KEY k_1 (k)) ENGINE=InnoDB`,
    );
    const rows = Array.from({ length: 400 }, (_, i) => [i + 1, i % 17, `c-${i % 3}`, `pad-${i}`]);
    await s.conn.execute(`INSERT INTO ${q('sbtest1')} VALUES ?`, [rows]);
    await runSync(s.options);
    await expectMirrorExact('sbtest1');
    expect((await verifyMirrors(s.options)).ok).toBe(true);
    await s.conn.execute(`DELETE FROM ${m('sbtest1')} WHERE id % 2 = 0`);
    const r = await verifyMirrors(s.options);
    expect(r.ok).toBe(false);
    expect(r.tables.find((t) => t.table === 'sbtest1')!.mirrorRows).toBe(200);
  });

  it('paired duplicate rows in a keyless table do not cancel: {A, A, B} against {B, C, C} is drift', async () => {
    await resetSchema();
    await s.conn.execute(`CREATE TABLE ${q('heap')} (v VARCHAR(10) NULL) ENGINE=InnoDB`);
    await s.conn.execute(`INSERT INTO ${q('heap')} VALUES ('A'), ('A'), ('B')`);
    await runSync(s.options);
    expect((await verifyMirrors(s.options)).ok).toBe(true);
    await s.conn.execute(`DELETE FROM ${m('heap')}`);
    await s.conn.execute(`INSERT INTO ${m('heap')} VALUES ('B'), ('C'), ('C')`);
    expect((await verifyMirrors(s.options)).ok).toBe(false);
    // NULL against the text 'NULL', and a value moved across a separator, differ too.
    await s.conn.execute(`DELETE FROM ${m('heap')}`);
    await s.conn.execute(`INSERT INTO ${m('heap')} VALUES ('A'), ('A'), (NULL)`);
    expect((await verifyMirrors(s.options)).ok).toBe(false);
  });

  it('values that print alike are told apart, for every column type', async () => {
    await resetSchema();
    await s.conn.execute(`CREATE TABLE ${q('kinds')} (
      id INT NOT NULL PRIMARY KEY,
      f FLOAT, d DOUBLE, dc DECIMAL(65,30), b BIT(9), ts TIMESTAMP(6) NULL, dt DATETIME(6), tm TIME(3), y YEAR, da DATE,
      ci VARCHAR(20) COLLATE utf8mb4_unicode_ci, pad CHAR(5) COLLATE utf8mb4_bin, tx TEXT, bl BLOB, vb VARBINARY(10),
      en ENUM('', 'x'), st SET('a', 'b'), js JSON, g POINT NULL, l1 VARCHAR(10) CHARACTER SET latin1,
      sep1 VARCHAR(10), sep2 VARCHAR(10), i BIGINT UNSIGNED
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
    await s.conn.execute(`INSERT INTO ${q('kinds')} VALUES
      (1, 16777215, 0.1, 1.000000000000000000000000000001, b'101', '2024-01-01 00:00:00.000001', '2024-01-01 00:00:00.000001',
       '-01:00:00.001', 2001, '2024-02-29', 'abc', 'a', 'text', X'00', X'00', 'x', 'a', '{"a": 1}', POINT(1, 2), 'caf\\xe9',
       'a#b', 'c', 18446744073709551615)`);
    await runSync(s.options);
    await expectMirrorExact('kinds');
    expect((await verifyMirrors(s.options)).ok).toBe(true);
    const edits: [string, string][] = [
      ['f', '16777214'], // FLOAT: both print 1.67772e7
      ['d', '0.1 + 1e-17'],
      ['dc', '1.000000000000000000000000000002'],
      ['b', "b'100'"],
      ['ts', "'2024-01-01 00:00:00.000002'"],
      ['dt', "'2024-01-01 00:00:00.000002'"],
      ['tm', "'-01:00:00.002'"],
      ['y', '2002'],
      ['da', "'2024-03-01'"],
      ['ci', "'ABC'"], // equal under the collation, not as bytes
      ['pad', "'a '"], // CHAR strips trailing spaces: this one is equal, handled below
      ['tx', "'text '"],
      ['bl', "X'0000'"],
      ['vb', "X'01'"],
      ['en', "''"], // the declared '' member, not the index-0 error value
      ['st', "'b'"],
      ['js', `'{"a": 2}'`],
      ['g', 'POINT(1, 2.000001)'],
      ['l1', "'cafe'"],
      ['sep1', "'a'"], // 'a#b','c' against 'a','b#c'
      ['i', '18446744073709551614'],
    ];
    for (const [col, value] of edits) {
      const before = await exactTableDigest(s.conn, s.options.pipeline.reportSchema, 'kinds');
      await s.conn.execute(`UPDATE ${m('kinds')} SET \`${col}\` = ${value}${col === 'sep1' ? ", sep2 = 'b#c'" : ''} WHERE id = 1`);
      const changed = JSON.stringify(await exactTableDigest(s.conn, s.options.pipeline.reportSchema, 'kinds')) !== JSON.stringify(before);
      const r = await verifyMirrors(s.options);
      // verify reports drift exactly when the exact digest changed.
      expect(r.ok, `column ${col} = ${value}`).toBe(!changed);
      if (col !== 'pad') expect(changed, `the edit of ${col} changed the row`).toBe(true);
      await runSync(s.options);
      await expectMirrorExact('kinds');
    }
  });
});

describe('schemas the copy handles', () => {
  it('copies string columns whose character sets do not convert into each other', async () => {
    await resetSchema();
    await s.conn.execute(`CREATE TABLE ${q('mixed')} (
      id INT NOT NULL PRIMARY KEY, a VARCHAR(20) CHARACTER SET latin1, b VARCHAR(20) CHARACTER SET cp1251,
      c VARCHAR(20) CHARACTER SET utf16, d VARCHAR(20) CHARACTER SET ucs2, e VARCHAR(20) CHARACTER SET utf32, f VARCHAR(20) CHARACTER SET utf8mb4
    ) ENGINE=InnoDB`);
    await s.conn.execute(`CREATE TABLE ${q('mixed_key')} (
      a VARCHAR(20) CHARACTER SET latin1 NOT NULL, b VARCHAR(20) CHARACTER SET cp1251 NOT NULL, c VARCHAR(10) CHARACTER SET utf32 NOT NULL, v INT,
      PRIMARY KEY (a, b, c)
    ) ENGINE=InnoDB`);
    await s.conn.execute(
      `INSERT INTO ${q('mixed')} VALUES (1, _latin1 X'E9', _cp1251 X'C6C8', 'x😀', 'y', 'z😀', 'w😀'), (2, NULL, '', '', NULL, '', NULL)`,
    );
    await s.conn.execute(`INSERT INTO ${q('mixed_key')} VALUES (_latin1 X'E9', _cp1251 X'C6', 'a', 1), ('b', 'c', 'd', 2)`);
    for (const sameServer of [true, false]) {
      await runSync({ ...s.options, pipeline: { ...s.options.pipeline, sameServer } });
      await expectMirrorExact('mixed');
      await expectMirrorExact('mixed_key');
      expect((await verifyMirrors(s.options)).ok).toBe(true);
    }
    await s.conn.execute(`UPDATE ${m('mixed')} SET b = _cp1251 X'C6C9' WHERE id = 1`);
    expect((await verifyMirrors(s.options)).ok).toBe(false);
  });

  it('copies rows that break a CHECK constraint (MariaDB: written with check_constraint_checks=0; MySQL: NOT ENFORCED) as they are', async () => {
    await resetSchema();
    // MySQL has no check_constraint_checks; its way to keep such rows is a CHECK … NOT ENFORCED,
    // which MariaDB cannot parse.
    const mariaStyle = await s.conn.execute('SET SESSION check_constraint_checks = 1').then(() => true, () => false);
    const notEnforced = mariaStyle ? '' : ' NOT ENFORCED';
    await s.conn.execute(
      `CREATE TABLE ${q('checked')} (id INT NOT NULL PRIMARY KEY, qty INT CHECK (qty >= 0)${notEnforced}, price INT, CONSTRAINT positive_price CHECK (price > 0)${notEnforced}) ENGINE=InnoDB`,
    );
    await s.conn.execute(`INSERT INTO ${q('checked')} VALUES (1, 5, 10)`);
    if (mariaStyle) await s.conn.execute('SET SESSION check_constraint_checks = 0');
    await s.conn.execute(`INSERT INTO ${q('checked')} VALUES (2, -1, -5)`);
    if (mariaStyle) await s.conn.execute('SET SESSION check_constraint_checks = 1');
    await runSync(s.options);
    await expectMirrorExact('checked');
    await runSync({ ...s.options, pipeline: { ...s.options.pipeline, sameServer: false } });
    await expectMirrorExact('checked');
    expect((await verifyMirrors(s.options)).ok).toBe(true);
  });

  it('the lock strategy keeps INVISIBLE columns', async () => {
    await resetSchema();
    await s.conn.execute(`CREATE TABLE ${q('hidden')} (id INT NOT NULL PRIMARY KEY, v INT, secret VARCHAR(10) INVISIBLE DEFAULT 'dflt') ENGINE=InnoDB`);
    await s.conn.execute(`INSERT INTO ${q('hidden')} (id, v, secret) VALUES (1, 1, 'one'), (2, 2, 'two')`);
    await runSync(s.options);
    await expectMirrorExact('hidden');
    await s.conn.execute(`UPDATE ${q('hidden')} SET secret = 'changed' WHERE id = 1`);
    await runSync({ ...s.options, strategy: 'lock' });
    await expectMirrorExact('hidden');
    expect((await verifyMirrors(s.options)).ok).toBe(true);
  });
});
