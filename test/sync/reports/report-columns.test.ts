import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { columnsReportsRead, readsUnnamedColumns } from '../../../sync/reports/report-columns.js';
import { loadReportDefinitions, parseReportDefinition } from '../../../sync/reports/report-definitions.js';

const cols = (...names: string[]) => names.map((name) => ({ name }));

function report(body: string, changes = '-- @changes things t: t.owner_id'): ReturnType<typeof parseReportDefinition> {
  return parseReportDefinition(
    'rpt_x.sql',
    `-- x\nCREATE TABLE {{target}} (owner_id INT PRIMARY KEY, n INT) ENGINE=MyISAM;\n${body};\n-- @key owner_id\n${changes}\n-- @refresh\nINSERT INTO {{target}} SELECT t.owner_id, COUNT(*) FROM {{keys}} k JOIN {{things}} t ON t.owner_id = k.owner_id GROUP BY t.owner_id;\n`,
  );
}

describe('columnsReportsRead', () => {
  it('lists the columns the CRM reports name, and not updated_at, which none reads', () => {
    const defs = loadReportDefinitions();
    const read = columnsReportsRead(defs, 'interactions', cols('id', 'contact_id', 'user_id', 'channel', 'direction', 'subject', 'body', 'occurred_at', 'created_at', 'updated_at'));
    expect(read).not.toBe('all');
    expect(read).toEqual(expect.arrayContaining(['id', 'contact_id', 'channel', 'subject', 'body', 'occurred_at']));
    expect(read).not.toContain('updated_at');
  });

  it('reads every column through a select-list star, t.*, NATURAL or TABLE, and not through a product or COUNT(*)', () => {
    const all = cols('owner_id', 'price', 'qty', 'note');
    expect(columnsReportsRead([report('INSERT INTO {{target}} SELECT t.owner_id, SUM(t.price * t.qty) FROM {{things}} t GROUP BY 1')], 'things', all)).toEqual(['owner_id', 'price', 'qty']);
    for (const body of [
      'INSERT INTO {{target}} SELECT * FROM {{things}}',
      'INSERT INTO {{target}} SELECT DISTINCT * FROM {{things}}',
      'INSERT INTO {{target}} SELECT t.* FROM {{things}} t',
      'INSERT INTO {{target}} SELECT owner_id, COUNT(*) FROM {{things}} NATURAL JOIN {{others}} GROUP BY owner_id',
      'INSERT INTO {{target}} TABLE {{things}}',
    ]) {
      expect(columnsReportsRead([report(body, '-- @changes things t: t.owner_id\n-- @changes others o: o.owner_id')], 'things', all), body).toBe('all');
    }
  });

  it('matches names without regard to case, back-quoted names with odd characters, and a generated column makes it every column', () => {
    const def = report('INSERT INTO {{target}} SELECT t.`Owner_ID`, SUM(t.`odd ``name`) FROM {{things}} t GROUP BY 1');
    expect(columnsReportsRead([def], 'things', cols('owner_id', 'odd `name', 'other'))).toEqual(['owner_id', 'odd `name']);
    expect(columnsReportsRead([def], 'things', [{ name: 'owner_id' }, { name: 'odd `name', generated: true }])).toBe('all');
    expect(columnsReportsRead([def], 'things', [{ name: 'owner_id' }, { name: 'odd `name', dataType: 'VECTOR' }])).toBe('all');
  });

  it('tells a select-list star from a product', () => {
    for (const sql of ['SELECT a * b FROM t', 'SELECT (a + 1) * 2, COUNT(*), COUNT( * ) FROM t', 'SELECT 2*a FROM t']) expect(readsUnnamedColumns(sql), sql).toBe(false);
    for (const sql of ['SELECT * FROM t', 'SELECT a, t.* FROM t', 'SELECT SQL_NO_CACHE * FROM t', 'SELECT x FROM (SELECT * FROM t) d']) expect(readsUnnamedColumns(sql), sql).toBe(true);
  });

  it('is empty for a table no incremental report reads', () => {
    expect(columnsReportsRead([report('INSERT INTO {{target}} SELECT t.owner_id, 1 FROM {{things}} t')], 'elsewhere', cols('a'))).toEqual([]);
  });

  // Property: a column the SQL names, however it is spelled or quoted, is always found (never missed).
  it('never misses a column the SQL names, however it is spelled', () => {
    const name = fc.stringMatching(/^[a-zé€ _`"]{1,8}$/).filter((n) => n.trim() === n && n.length > 0);
    const spell = fc.constantFrom('bare', 'upper', 'backquoted', 'unaccented');
    fc.assert(
      fc.property(fc.uniqueArray(name, { minLength: 2, maxLength: 6 }), fc.array(spell, { minLength: 6, maxLength: 6 }), (names, spellings) => {
        const named = names.slice(1);
        const refs = named.map((n, i) => {
          const how = spellings[i];
          if (how === 'upper') return `t.${n.toUpperCase()}`;
          if (how === 'backquoted') return `t.\`${n.replace(/`/g, '``')}\``;
          if (how === 'unaccented') return `t.${n.replace(/é/g, 'E')}`;
          return `t.${n}`;
        });
        const def = report(`INSERT INTO {{target}} SELECT t.owner_id, ${refs.join(' + ')} FROM {{things}} t`);
        const read = columnsReportsRead([def], 'things', cols('owner_id', ...names));
        expect(read).not.toBe('all');
        expect(read).toEqual(expect.arrayContaining(['owner_id', ...named]));
      }),
    );
  });
});
