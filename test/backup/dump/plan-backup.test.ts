/** The backup planner, without a server: which tables, in which order, read how, and which checksums are scanned. */
import { describe, expect, it } from 'vitest';
import { type BackupTableInput, chooseBackupTables, planBackup, type SyncDetails } from '../../../backup/dump/plan-backup.js';
import type { ColumnMeta, TableMeta } from '../../../src/catalog/table-meta.js';
import { DualpipeError, UnsupportedTableError } from '../../../src/errors.js';

const col = (name: string, dataType: string, extra: Partial<ColumnMeta> = {}): ColumnMeta => ({
  name,
  dataType,
  columnType: dataType,
  nullable: false,
  generated: false,
  ...extra,
});

const meta = (name: string, columns: ColumnMeta[], dataBytes = 1000): TableMeta => ({
  name,
  engine: 'MyISAM',
  columns,
  primaryKey: [columns[0]!.name],
  estimatedRows: 0,
  dataBytes,
});

/** An InnoDB CREATE TABLE as SHOW CREATE TABLE prints it, with `generated` columns computed. */
const ddl = (name: string, columns: ColumnMeta[]) =>
  `CREATE TABLE \`${name}\` (\n${columns
    .map((c) => `  \`${c.name}\` ${c.columnType}${c.generated ? ' GENERATED ALWAYS AS (1) STORED' : ' NOT NULL'},`)
    .join('\n')}\n  PRIMARY KEY (\`${columns[0]!.name}\`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;

const usersCols = [col('id', 'bigint'), col('name', 'varchar'), col('score', 'float'), col('state', 'enum'), col('photo', 'blob')];
const ordersCols = [col('id', 'bigint'), col('qty', 'int'), col('total', 'int', { generated: true })];
const users = meta('users', usersCols, 5000);
const orders = meta('orders', ordersCols, 9000);
const daily = meta('daily_totals', [col('day', 'date'), col('n', 'int')]);
const input = (m: TableMeta, rows: number, kind: 'mirror' | 'report' = 'mirror'): BackupTableInput => ({ meta: m, kind, ddl: ddl(m.name, m.columns), rows });
const options = { sourceSchema: 'crm', chunkRows: 100, compression: 'gzip' as const };

describe('chooseBackupTables', () => {
  const details: SyncDetails = { tables: [{ table: 'users', rows: 1 }, { table: 'orders', rows: 2 }], reports: [{ name: 'daily_totals' }] };
  const discovered = [daily, orders, meta('other', [col('id', 'int')]), users];

  it('takes the mirrors of the sync in discovery order, report tables only when asked', () => {
    const chosen = chooseBackupTables(details, discovered, { reportSchema: 'crm_report' });
    expect(chosen.map((t) => [t.meta.name, t.kind])).toEqual([
      ['orders', 'mirror'],
      ['users', 'mirror'],
    ]);
    const withReports = chooseBackupTables(details, discovered, { reportSchema: 'crm_report', includeReports: true });
    expect(withReports.map((t) => [t.meta.name, t.kind])).toEqual([
      ['daily_totals', 'report'],
      ['orders', 'mirror'],
      ['users', 'mirror'],
    ]);
  });

  it('refuses when a mirror of the sync is missing, naming it', () => {
    const run = () => chooseBackupTables(details, [users], { reportSchema: 'crm_report' });
    expect(run).toThrow(DualpipeError);
    expect(run).toThrow('mirror table(s) missing from crm_report: orders');
  });
});

describe('planBackup', () => {
  it('orders tables largest first (ties in input order) and numbers them in that order', () => {
    const plan = planBackup('crm_report', [input(users, 10), input(daily, 250, 'report'), input(orders, 250)], options);
    expect(plan.tables.map((t) => [t.name, t.tableIndex, t.kind])).toEqual([
      ['daily_totals', 0, 'report'],
      ['orders', 1, 'mirror'],
      ['users', 2, 'mirror'],
    ]);
    expect(plan.tables.map((t) => t.expectedChunks)).toEqual([3, 3, 1]);
    expect(plan.totals).toEqual({ rows: 510, estimatedBytes: 15_000 });
    expect(plan).toMatchObject({ reportSchema: 'crm_report', compression: 'gzip', chunkRows: 100 });
  });

  it('plans at least one chunk for an empty table', () => {
    expect(planBackup('crm_report', [input(users, 0)], options).tables[0]!.expectedChunks).toBe(1);
  });

  it('reads each column so that it loads back exactly, and leaves generated columns out', () => {
    const [u, o] = planBackup('crm_report', [input(users, 2), input(orders, 1)], options).tables;
    expect(u!.sql).toBe('SELECT `id`, `name`, CAST(`score` AS DOUBLE), `state`+0, `photo` FROM `crm_report`.`users`');
    expect(u!.columns).toEqual([
      { name: 'id', dataType: 'bigint', hex: false },
      { name: 'name', dataType: 'varchar', hex: false },
      { name: 'score', dataType: 'float', hex: false, encoding: 'double' },
      { name: 'state', dataType: 'enum', hex: false, encoding: 'index' },
      { name: 'photo', dataType: 'blob', hex: true },
    ]);
    expect(o!.sql).toBe('SELECT `id`, `qty` FROM `crm_report`.`orders`');
    expect(o!.columns.map((c) => c.name)).toEqual(['id', 'qty']);
  });

  it('reuses a checksum the sync recorded only when its row count and version still hold', () => {
    const plan = planBackup('crm_report', [input(users, 5), input(orders, 7), input(meta('tags', [col('id', 'int')]), 3), input(daily, 1, 'report')], {
      ...options,
      recorded: [
        { table: 'users', rows: 5, checksum: 'v3:123' },
        // Rows changed since: scanned.
        { table: 'orders', rows: 6, checksum: 'v3:456' },
        // An older dualpipe's checksum: scanned for the current one.
        { table: 'tags', rows: 3, checksum: '789' },
        // MD5 digests (before v3): scanned too.
        { table: 'daily_totals', rows: 1, checksum: 'v2:42' },
      ],
    });
    const recorded = Object.fromEntries(plan.tables.map((t) => [t.name, t.recorded]));
    expect(recorded).toEqual({ users: { rows: 5, checksum: 'v3:123' }, orders: undefined, tags: undefined, daily_totals: undefined });
  });

  it('refuses a table a restore could not read back, before anything is dumped', () => {
    const renamed: BackupTableInput = { ...input(users, 1), ddl: ddl('people', usersCols) };
    expect(() => planBackup('crm_report', [renamed], options)).toThrow(UnsupportedTableError);
    expect(() => planBackup('crm_report', [renamed], options)).toThrow(/users \(a restore could not read it back: .*CREATE TABLE `users`/);
    expect(() => planBackup('crm.report', [input(users, 1)], options)).toThrow(/crm\.report \(a restore could not read it back: a schema name/);
  });
});
