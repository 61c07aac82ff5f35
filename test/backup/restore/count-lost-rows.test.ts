/** The pure part of counting a restore's discarded rows: when the change log reaches back, the SQL, the text. */
import { describe, expect, it } from 'vitest';
import { compareSql, describeLost, keepRowsSql, logReach, type LogReachInput, summarizeLost } from '../../../backup/restore/count-lost-rows.js';
import type { TableMeta } from '../../../src/catalog/table-meta.js';

const base: LogReachInput = {
  target: 'crm',
  backupSourceSchema: 'crm',
  backupSyncRunId: 7,
  captureId: 3,
  captured: ['contacts', 'orgs'],
  lastSync: { id: 7, captureId: 3 },
  replaced: ['contacts', 'orgs', 'nokey'],
};

const meta = (primaryKey: string[]): TableMeta => ({
  name: 't',
  engine: 'InnoDB',
  columns: [
    { name: 'id', dataType: 'int', columnType: 'int', nullable: false, generated: false },
    { name: 'v', dataType: 'varchar', columnType: 'varchar(9)', nullable: true, generated: false, charset: 'utf8mb4' },
    { name: 'g', dataType: 'int', columnType: 'int', nullable: true, generated: true },
  ],
  primaryKey,
  estimatedRows: 0,
  dataBytes: 0,
});

describe('logReach', () => {
  it('counts captured replaced tables from the log when it reaches back; the others are unknown with why', () => {
    expect(logReach(base)).toEqual({ tables: ['contacts', 'orgs'], unknown: [{ table: 'nokey', why: 'not captured (no primary key or triggers missing)' }] });
  });

  it.each([
    [{ target: 'crm_check' }, /the backup is of crm, the restore goes into crm_check/],
    [{ captureId: null }, /change capture is not installed/],
    [{ lastSync: undefined }, /sync history was not read/],
    [{ lastSync: null }, /no successful sync is recorded/],
    [{ lastSync: { id: 9, captureId: 3 } }, /sync #9 ran after the backup's sync #7/],
    [{ lastSync: { id: 7, captureId: 2 } }, /reinstalled/],
  ])('%j: the log does not reach back', (change, why) => {
    const r = logReach({ ...base, ...change });
    expect('why' in r && r.why).toMatch(why);
  });
});

describe('the comparison SQL', () => {
  it('joins live and staged rows on the whole primary key and compares row digests', () => {
    const sql = compareSql('crm', 'crm__dp_restore', meta(['id', 'v']));
    expect(sql.live).toContain('`crm`.`t` l LEFT JOIN `crm__dp_restore`.`t` s ON l.`id` = s.`id` AND l.`v` = s.`v`');
    expect(sql.live).toMatch(/WHERE s\.`id` IS NULL OR CAST\(CONV\(LEFT\(SHA2\(.*l\.`v`.*<> CAST\(CONV\(LEFT\(SHA2\(.*s\.`v`/);
    expect(sql.removed).toBe('SELECT COUNT(*) AS n FROM `crm__dp_restore`.`t` s LEFT JOIN `crm`.`t` l ON l.`id` = s.`id` AND l.`v` = s.`v` WHERE l.`id` IS NULL');
  });

  it('keeps the discarded live rows, stored columns only; the whole table without a primary key', () => {
    expect(keepRowsSql('crm', 'stg', 'keep', meta(['id']))).toMatch(/^INSERT INTO `keep`\.`t` \(`id`, `v`\) SELECT l\.`id`, l\.`v` FROM `crm`\.`t` l LEFT JOIN `stg`\.`t` s ON l\.`id` = s\.`id` WHERE s\.`id` IS NULL OR /);
    expect(keepRowsSql('crm', 'stg', 'keep', meta([]))).toBe('INSERT INTO `keep`.`t` (`id`, `v`) SELECT `id`, `v` FROM `crm`.`t`');
  });
});

describe('describeLost', () => {
  it('says how many rows in how many tables, per table, and leaves out tables with none', () => {
    const lost = summarizeLost('compared', [{ table: 'b', rows: 2 }, { table: 'a', rows: 3 }, { table: 'c', rows: 0 }], []);
    expect(lost.rows).toBe(5);
    expect(describeLost(lost, 'backup')).toBe('5 row(s) in 2 table(s) written since the backup will be discarded: a (3), b (2)');
  });

  it('says when the count is unknown before the load, and why', () => {
    const text = describeLost(summarizeLost('unknown', [], [{ table: 'x', why: 'no primary key' }], 'change capture is not installed'), 'last sync');
    expect(text).toBe(
      'rows written since the last sync: unknown before the load (change capture is not installed); the restore counts them exactly before the swap; ' +
        'x: discarded rows not counted (no primary key)',
    );
  });
});
