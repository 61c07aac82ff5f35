/** The pure parts of incremental sync: key SQL, log ranges, trigger DDL, report annotations, fallbacks. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { triggerDdl, triggerName } from '../../../sync/capture/capture-sql.js';
import { addKey, canonicalKey, type KeySet, toRanges } from '../../../sync/capture/change-log.js';
import { keyInSql, keyTuple } from '../../../sync/capture/key-sql.js';
import { loadReportDefinitions, parseReportDefinition } from '../../../sync/reports/report-definitions.js';
import { fullSyncReason } from '../../../sync/incremental/run-incremental.js';
import { swapSql } from '../../../sync/shadow/shadow-set.js';
import { fingerprints } from '../../../src/catalog/table-ids.js';
import type { TableMeta } from '../../../src/catalog/table-meta.js';

const meta = (primaryKey: string[], types: Record<string, string>): TableMeta => ({
  name: 't',
  engine: 'InnoDB',
  columns: Object.entries(types).map(([name, dataType]) => ({ name, dataType, columnType: dataType, nullable: false, generated: false })),
  primaryKey,
  estimatedRows: 0,
  dataBytes: 0,
});

describe('key SQL', () => {
  const composite = meta(['id', 'code', 'bin'], { id: 'bigint', code: 'varchar', bin: 'varbinary' });
  it('writes integers as digits, binary keys as hex literals, text as quoted strings', () => {
    expect(keyTuple(composite, JSON.stringify(['42', "it's \\ x", '00ff']))).toBe("(42, 'it''s \\\\ x', X'00ff')");
    expect(keyInSql(meta(['id'], { id: 'int' }), 'p', ['["1"]', '["2"]'])).toBe('p.`id` IN (1, 2)');
    expect(keyInSql(composite, '', [JSON.stringify(['1', 'a', ''])])).toBe("(`id`, `code`, `bin`) IN ((1, 'a', X''))");
  });
  it('reads TIMESTAMP keys as epoch seconds, whatever the writers\' time zone', () => {
    expect(keyTuple(meta(['at'], { at: 'timestamp' }), '["1700000000.123456"]')).toBe('FROM_UNIXTIME(1700000000.123456)');
    expect(() => keyTuple(meta(['at'], { at: 'timestamp' }), '["2024-01-01 00:00:00"]')).toThrow(/not a timestamp/);
  });
  it('writes FLOAT/DOUBLE keys as DOUBLE literals, BIT keys as integers and the zero TIMESTAMP as zero', () => {
    expect(keyTuple(meta(['f'], { f: 'float' }), '["0.10000000149011612"]')).toBe('0.10000000149011612e0');
    expect(keyTuple(meta(['f'], { f: 'double' }), '["-3.4028234663852886e38"]')).toBe('-3.4028234663852886e38');
    expect(keyTuple(meta(['b'], { b: 'bit' }), '["5"]')).toBe('5');
    expect(keyTuple(meta(['at'], { at: 'timestamp' }), '["0.000000"]')).toBe("'0000-00-00 00:00:00'");
    expect(() => keyTuple(meta(['f'], { f: 'float' }), '["1e5; --"]')).toThrow(/not a number/);
    expect(() => keyTuple(meta(['b'], { b: 'varbinary' }), '["5"]')).toThrow(/not hex/);
  });
  it('writes string keys of a character set other than utf8mb4 from the hex of their bytes, in their own character set', () => {
    const cs = (charset: string | null): TableMeta => ({ ...meta(['k', 'n'], { k: 'varchar', n: 'int' }), columns: [{ name: 'k', dataType: 'varchar', columnType: 'varchar(4)', nullable: false, generated: false, charset }, { name: 'n', dataType: 'int', columnType: 'int', nullable: false, generated: false }] });
    expect(keyTuple(cs('latin1'), '["80", "1"]')).toBe("(_latin1 X'80', 1)");
    expect(keyTuple(cs('big5'), '["", "1"]')).toBe("(_big5 X'', 1)");
    expect(keyTuple(cs('utf8mb4'), '["80", "1"]')).toBe("('80', 1)");
    expect(() => keyTuple(cs('latin1'), '["a\' OR 1", "1"]')).toThrow(/not hex/);
  });
  it('refuses key text that does not fit the column type, so nothing is pasted raw', () => {
    expect(() => keyTuple(meta(['id'], { id: 'int' }), '["1); DROP TABLE x; --"]')).toThrow(/not an integer/);
    expect(() => keyTuple(composite, JSON.stringify(['1', 'a', "zz'"]))).toThrow(/not hex/);
    expect(() => keyTuple(composite, '["1"]')).toThrow(/1 part/);
  });
  it('quotes any text key so that it reads back as the same string (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const sql = keyTuple(meta(['code'], { code: 'varchar' }), JSON.stringify([text]));
        expect(sql.startsWith("'") && sql.endsWith("'")).toBe(true);
        const inner = sql.slice(1, -1);
        // Every quote is doubled and every backslash escaped: no way out of the literal.
        expect(inner.replace(/''/g, '').includes("'")).toBe(false);
        const back = inner.replace(/''/g, "'").replace(/\\(.)/g, (_m, c: string) => (c === '0' ? '\0' : c));
        expect(back).toBe(text);
      }),
    );
  });
});

describe('change log', () => {
  it('turns sequence numbers into exact runs, leaving gaps of late commits out', () => {
    expect(toRanges([1n, 2n, 3n, 5n, 7n, 8n])).toEqual([
      [1n, 3n],
      [5n, 5n],
      [7n, 8n],
    ]);
    expect(toRanges([])).toEqual([]);
  });
  it('canonicalises keys printed by different servers, and refuses malformed ones', () => {
    expect(canonicalKey('["1", "a"]')).toBe(canonicalKey('["1","a"]'));
    expect(() => canonicalKey('[1]')).toThrow(/malformed/);
    expect(() => canonicalKey('{"a":1}')).toThrow(/malformed/);
  });
  it('a key once seen removed stays removed', () => {
    const keys = new Map<string, KeySet>();
    addKey(keys, 't', '["1"]', false);
    addKey(keys, 't', '["1"]', true);
    addKey(keys, 't', '["1"]', false);
    expect(keys.get('t')!.get('["1"]')).toEqual({ removed: true });
  });
});

describe('trigger DDL', () => {
  it('logs inserts, updates and deletes; an update of a referenced column logs the old key as removed', () => {
    const t = meta(['id'], { id: 'bigint', email: 'varchar' });
    const [ins, upd, del] = triggerDdl('crm', t, ['email']);
    expect(ins!.sql).toContain("AFTER INSERT ON `crm`.`t` FOR EACH ROW INSERT INTO `crm`.`__dp_changes` (tbl, op, pk) VALUES ('t', 'I', JSON_ARRAY(CAST(NEW.`id` AS CHAR)))");
    // Character columns compare as bytes: ON UPDATE CASCADE passes on a change of case or of trailing spaces.
    expect(upd!.sql).toContain('IF NOT (OLD.`id` <=> NEW.`id` AND CAST(OLD.`email` AS BINARY) <=> CAST(NEW.`email` AS BINARY))');
    expect(upd!.sql).toContain("'D', JSON_ARRAY(CAST(OLD.`id` AS CHAR))");
    expect(upd!.sql).toContain("'I', JSON_ARRAY(CAST(NEW.`id` AS CHAR))); ELSE");
    expect(del!.sql).toContain("VALUES ('t', 'D', JSON_ARRAY(CAST(OLD.`id` AS CHAR)))");
  });
  it('keeps trigger names within 64 characters, distinct per table', () => {
    const a = triggerName('x'.repeat(64), 'upd');
    const b = triggerName(`${'x'.repeat(63)}y`, 'upd');
    expect(a.length).toBeLessThanOrEqual(64);
    expect(a).not.toBe(b);
  });
});

describe('InnoDB table ids', () => {
  it('keeps a table\'s own id, and lists every partition of a partitioned table with its id', () => {
    expect(
      fingerprints([
        { name: 'a b', part: 's/a@0020b', id: 7 },
        { name: 'p', part: 's/p#P#p1', id: '12' },
        { name: 'p', part: 's/p#P#p0', id: '11' },
      ]),
    ).toEqual({ 'a b': '7', p: '#P#p0=11,#P#p1=12' });
  });
});

describe('report annotations', () => {
  it('every bundled report refreshes by key', () => {
    for (const def of loadReportDefinitions()) {
      expect(def.incremental, def.name).toBeDefined();
      expect(def.incremental!.refresh.some((s) => s.includes('{{keys}}'))).toBe(true);
      expect(def.statements.some((s) => s.includes('{{keys}}')), 'full build statements stop at @refresh').toBe(false);
    }
    const c360 = loadReportDefinitions().find((d) => d.name === 'rpt_customer_360')!;
    expect(c360.incremental!.key).toEqual(['contact_id']);
    expect(c360.incremental!.rowChanges.map((r) => r.table)).toEqual(['contacts', 'transactions', 'interactions', 'opportunities']);
    expect(c360.incremental!.queryChanges.map((r) => r.table)).toEqual(['organizations', 'users', 'pipeline_stages']);
  });
  it('refuses a report that reads a mirror without an @changes line for it', () => {
    const text = '-- @key id\n-- @changes a x: x.id\nCREATE TABLE {{target}} (id INT);\nINSERT INTO {{target}} SELECT a.id FROM {{a}} a JOIN {{b}} b ON b.id = a.id;\n-- @refresh\nDELETE FROM {{keys}}';
    expect(() => parseReportDefinition('rpt_x.sql', text)).toThrow(/no @changes line for b/);
  });
  it('refuses half an annotation', () => {
    expect(() => parseReportDefinition('rpt_x.sql', '-- @key id\nCREATE TABLE {{target}} (id INT)')).toThrow(/@key and @refresh go together/);
    expect(() => parseReportDefinition('rpt_x.sql', '-- @key id\nCREATE TABLE {{target}} (id INT);\n-- @refresh\nDELETE FROM {{target}}')).toThrow(/never use \{\{keys\}\}/);
    expect(() => parseReportDefinition('rpt_x.sql', '-- @key id\n-- @changes !bad\nCREATE TABLE {{target}} (id INT);\n-- @refresh\nDELETE FROM {{keys}}')).toThrow(/bad @changes/);
  });
});

describe('fallback to a full sync', () => {
  const base = {
    captureId: 3,
    uncapturedWithKey: [] as string[],
    last: { details: { captureId: 3 }, ddl: { a: 'CREATE TABLE `a` (x int) AUTO_INCREMENT=5' } },
    liveGeneration: 10,
    ddl: { a: 'CREATE TABLE `a` (x int) AUTO_INCREMENT=9' },
    pending: 5,
    sourceRows: 1000,
    maxChangeShare: 0.2,
  };
  it('runs incrementally when nothing forbids it (an AUTO_INCREMENT counter is not a schema change)', () => {
    expect(fullSyncReason(base)).toBeUndefined();
  });
  it('names the reason otherwise', () => {
    expect(fullSyncReason({ ...base, captureId: null })).toMatch(/not installed/);
    expect(fullSyncReason({ ...base, last: undefined })).toBe('no earlier sync');
    expect(fullSyncReason({ ...base, last: { ...base.last, details: { captureId: 2 } } })).toMatch(/predates/);
    expect(fullSyncReason({ ...base, liveGeneration: null })).toMatch(/generation marker/);
    expect(fullSyncReason({ ...base, uncapturedWithKey: ['a'] })).toMatch(/triggers missing on a/);
    expect(fullSyncReason({ ...base, ddl: { a: base.ddl.a, b: 'x' } })).toMatch(/set of source tables/);
    expect(fullSyncReason({ ...base, ddl: { a: 'CREATE TABLE `a` (x bigint)' } })).toMatch(/definition of a changed/);
    expect(fullSyncReason({ ...base, pending: 300_000, sourceRows: 1_000_000 })).toMatch(/full sync is cheaper/);
    expect(fullSyncReason({ ...base, fingerprint: { installed: 'a', expected: 'b' } })).toMatch(/no longer fit the tables' keys/);
    expect(fullSyncReason({ ...base, fingerprint: { installed: 'a', expected: 'a' } })).toBeUndefined();
    expect(fullSyncReason({ ...base, reports: { now: { rpt_a: '1', rpt_b: '2' }, last: { rpt_a: '1', rpt_b: '3' } } })).toMatch(/report\(s\) rpt_b changed/);
    expect(fullSyncReason({ ...base, reports: { now: { rpt_a: '1' }, last: undefined } })).toMatch(/report\(s\) rpt_a changed/);
  });
});

describe('swap', () => {
  it('swaps every table and the generation marker with its shadow in one RENAME', () => {
    // Live tables in the report schema, shadows and markers in its internal schema: still one statement.
    expect(swapSql('r', ['a'])).toBe(
      'RENAME TABLE `r`.`a` TO `r__dualpipe`.`__dp_old_a`, `r__dualpipe`.`__dp_shadow_a` TO `r`.`a`, `r__dualpipe`.`__dp_old_a` TO `r__dualpipe`.`__dp_shadow_a`, ' +
        '`r__dualpipe`.`__dp_gen` TO `r__dualpipe`.`__dp_old___dp_gen`, `r__dualpipe`.`__dp_shadow___dp_gen` TO `r__dualpipe`.`__dp_gen`, `r__dualpipe`.`__dp_old___dp_gen` TO `r__dualpipe`.`__dp_shadow___dp_gen`',
    );
  });
});
