import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { lintReportText } from '../../../sync/reports/lint-report.js';
import { reportTableName, reportTemplate, writeReportTemplate } from '../../../sync/reports/new-report.js';
import { parseReportDefinition } from '../../../sync/reports/report-definitions.js';
import { crmReportTables, isCrmSchema, listReports, loadReportSet } from '../../../sync/reports/report-set.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dp-rset-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const report = (table: string, from = 'orders') => `-- ${table}\nCREATE TABLE {{target}} (id INT);\nINSERT INTO {{target}} SELECT id FROM {{${from}}};\n`;

describe('report set', () => {
  it('detects the CRM by the tables its reports read', () => {
    const crm = crmReportTables();
    expect(crm).toEqual(expect.arrayContaining(['contacts', 'transactions', 'pipeline_stages']));
    expect(isCrmSchema([...crm, 'other'])).toBe(true);
    expect(isCrmSchema(crm.slice(1))).toBe(false);
    expect(isCrmSchema(['customers', 'orders', 'order_lines'])).toBe(false);
  });

  it('adds the bundled reports for the CRM, or when asked; never for another schema', () => {
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'a', 'rpt_sales.sql'), report('rpt_sales'));
    const a = join(dir, 'a');
    expect(loadReportSet({ dirs: [a] }, ['orders']).map((d) => d.name)).toEqual(['rpt_sales']);
    expect(loadReportSet({ dirs: [a] }).map((d) => d.name)).toEqual(['rpt_sales']);
    const crm = loadReportSet({ dirs: [a] }, crmReportTables()).map((d) => d.name);
    expect(crm).toContain('rpt_customer_360');
    expect(crm).toContain('rpt_sales');
    expect(loadReportSet({ dirs: [a], builtin: false }, crmReportTables()).map((d) => d.name)).toEqual(['rpt_sales']);
    expect(loadReportSet({ builtin: true }, ['orders']).map((d) => d.name)).toContain('rpt_revenue_by_month');
    const listed = listReports(loadReportSet({ dirs: [a], builtin: true }));
    expect(listed.find((r) => r.name === 'rpt_sales')).toMatchObject({ folder: a, mirrors: ['orders'], incremental: false, builtin: false });
    expect(listed.find((r) => r.name === 'rpt_customer_360')).toMatchObject({ incremental: true, builtin: true });
  });

  it('refuses the same table from two folders, and a missing folder', () => {
    for (const d of ['a', 'b']) {
      mkdirSync(join(dir, d));
      writeFileSync(join(dir, d, 'rpt_sales.sql'), report('rpt_sales'));
    }
    const run = () => loadReportSet({ dirs: [join(dir, 'a'), join(dir, 'b')] });
    expect(run).toThrow(UsageError);
    expect(run).toThrow(`two report files build rpt_sales: ${join(dir, 'a', 'rpt_sales.sql')} and ${join(dir, 'b', 'rpt_sales.sql')}`);
    // A user's file named like a bundled one collides only when the bundled ones are in the set.
    writeFileSync(join(dir, 'a', 'rpt_customer_360.sql'), report('rpt_customer_360'));
    expect(() => loadReportSet({ dirs: [join(dir, 'a')], builtin: true })).toThrow(/two report files build rpt_customer_360/);
    expect(() => loadReportSet({ dirs: [join(dir, 'nope')] })).toThrow(/reports folder .*nope does not exist/);
  });
});

describe('report new', () => {
  it('validates the name, writes a template that parses, and never overwrites', () => {
    expect(reportTableName('daily_sales')).toBe('rpt_daily_sales');
    expect(reportTableName('rpt_daily_sales')).toBe('rpt_daily_sales');
    for (const bad of ['Daily', 'a-b', '', 'x'.repeat(61), '../x', 'a b']) expect(() => reportTableName(bad)).toThrow(UsageError);
    const def = parseReportDefinition('rpt_x.sql', reportTemplate('rpt_x'));
    expect(def.dependsOn).toEqual(['orders']);
    expect(lintReportText('rpt_x.sql', reportTemplate('rpt_x'))).toEqual([]);
    const w = writeReportTemplate(dir, 'daily');
    expect(w).toEqual({ table: 'rpt_daily', file: join(dir, 'rpt_daily.sql') });
    writeFileSync(w.file, 'mine');
    expect(() => writeReportTemplate(dir, 'daily')).toThrow(/exists already/);
    expect(readFileSync(w.file, 'utf8')).toBe('mine');
    expect(() => writeReportTemplate(join(dir, 'none'), 'daily')).toThrow(/does not exist/);
  });
});

describe('report lint', () => {
  it('names the line of each problem', () => {
    const text = [
      '-- t', // 1
      'CREATE TABLE {{target}} (id INT);', // 2
      'INSERT INTO {{target}} SELECT id FROM {{a}};', // 3
      '-- @key id, bad key', // 4
      '-- @changes a', // 5
      '-- @colour red', // 6
    ].join('\n');
    expect(lintReportText('f.sql', text).map((p) => [p.line, p.message.split(':')[0]])).toEqual([
      [4, 'bad @key line'],
      [5, 'bad @changes line'],
      [6, 'unknown annotation @colour (known'],
      [4, '@key needs a @refresh section (they go together)'],
    ]);
    const uncovered = 'CREATE TABLE {{target}} (id INT);\nINSERT INTO {{target}} SELECT id FROM {{a}} JOIN {{b}};\n-- @key id\n-- @changes a x: x.id\n-- @refresh\nDELETE FROM {{target}} WHERE id IN (SELECT id FROM {{keys}});';
    expect(lintReportText('rpt_u.sql', uncovered)).toEqual([{ file: 'rpt_u.sql', line: 2, message: 'no @changes line for b, which the report reads' }]);
    expect(lintReportText('rpt_n.sql', '-- x\nSELECT 1;')).toEqual([{ file: 'rpt_n.sql', line: 1, message: 'the build never names {{target}}, the table it builds' }]);
  });
});
