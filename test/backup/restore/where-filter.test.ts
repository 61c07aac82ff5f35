/**
 * The `--where` parser: every filter in the grammar parses to what it says, renders with
 * placeholders only (no user text in the SQL), and anything else is one UsageError, never a crash.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFilter, parseWhere, renderWhere } from '../../../backup/restore/where-filter.js';
import { UsageError } from '../../../src/errors.js';

const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,20}$/).filter((s) => !['in', 'and', 'between'].includes(s));
const value = fc.oneof(fc.integer({ min: -1e12, max: 1e12 }), fc.string({ maxLength: 30 }).filter((s) => !s.includes('\0')));
const lit = (v: string | number) => (typeof v === 'number' ? String(v) : `'${v.replaceAll("'", "''")}'`);

describe('parseWhere', () => {
  it('reads the documented forms', () => {
    expect(parseWhere('contacts.id IN (42, 43)')).toEqual({ table: 'contacts', conditions: [{ column: 'id', op: 'IN', values: [42, 43] }] });
    expect(parseWhere("`contacts`.`e``mail` = 'o''brien@x.y' and contacts.id between 1 AND 9")).toEqual({
      table: 'contacts',
      conditions: [
        { column: 'e`mail', op: '=', values: ["o'brien@x.y"] },
        { column: 'id', op: 'BETWEEN', values: [1, 9] },
      ],
    });
    expect(parseWhere('id = 12345678901234567890').conditions[0]!.values).toEqual(['12345678901234567890']);
  });

  it('round-trips any filter in the grammar, and renders only placeholders', () => {
    fc.assert(
      fc.property(name, fc.array(fc.tuple(name, fc.constantFrom('=', 'IN', 'BETWEEN'), fc.array(value, { minLength: 2, maxLength: 4 })), { minLength: 1, maxLength: 4 }), (table, conds) => {
        const text = conds
          .map(([col, op, vs]) =>
            op === '=' ? `${table}.${col} = ${lit(vs[0]!)}` : op === 'IN' ? `${table}.${col} IN (${vs.map(lit).join(', ')})` : `${table}.${col} BETWEEN ${lit(vs[0]!)} AND ${lit(vs[1]!)}`,
          )
          .join(' AND ');
        const f = parseWhere(text);
        expect(f.table).toBe(table);
        expect(f.conditions.map((c) => c.values)).toEqual(conds.map(([, op, vs]) => (op === '=' ? [vs[0]] : op === 'IN' ? vs : vs.slice(0, 2))));
        const r = renderWhere(f, 's');
        expect(r.params).toEqual(f.conditions.flatMap((c) => c.values));
        expect(r.sql.replace(/`[^`]*`/g, '')).toMatch(/^[\s.=?(),A-Z]*$/);
      }),
    );
  });

  it('any other text is one UsageError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        try {
          parseWhere(text);
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
        }
      }),
      { numRuns: 500 },
    );
    for (const bad of ['', 'contacts.id', 'contacts.id IN ()', 'a.x = 1 AND b.y = 2', "x = 'open", 'x = 1 OR 1 = 1', 'x IN (1) --', 'x = NULL', 'x = (SELECT 1)']) {
      expect(() => parseWhere(bad), bad).toThrow(UsageError);
    }
    expect(() => parseWhere(`x IN (${Array.from({ length: 10_001 }, (_, i) => i).join(',')})`)).toThrow(/more than 10000 values/);
  });
});

describe('parseFilter (archive: comparisons and NOW())', () => {
  it('reads comparisons and NOW() - INTERVAL n UNIT, rendering the count as a placeholder', () => {
    const f = parseFilter("contacts.last_activity_at < NOW() - INTERVAL 2 YEAR AND contacts.id >= 10 AND contacts.name <= 'm' AND id > -3 AND created_at > now()");
    expect(f).toEqual({
      table: 'contacts',
      conditions: [
        { column: 'last_activity_at', op: '<', values: [{ now: true, minus: { count: 2, unit: 'YEAR' } }] },
        { column: 'id', op: '>=', values: [10] },
        { column: 'name', op: '<=', values: ['m'] },
        { column: 'id', op: '>', values: [-3] },
        { column: 'created_at', op: '>', values: [{ now: true }] },
      ],
    });
    expect(renderWhere(f, 'r')).toEqual({
      sql: '`r`.`last_activity_at` < NOW() - INTERVAL ? YEAR AND `r`.`id` >= ? AND `r`.`name` <= ? AND `r`.`id` > ? AND `r`.`created_at` > NOW()',
      params: [2, 10, 'm', -3],
    });
    for (const unit of ['SECOND', 'minute', 'Hour', 'DAY', 'WEEK', 'MONTH', 'YEAR'])
      expect(parseFilter(`t.c < NOW() - INTERVAL 5 ${unit}`).conditions[0]!.values[0]).toEqual({ now: true, minus: { count: 5, unit: unit.toUpperCase() } });
    // The merge forms are unchanged under parseFilter.
    expect(parseFilter('contacts.id IN (1, 2)')).toEqual(parseWhere('contacts.id IN (1, 2)'));
  });

  it('refuses what is not in the grammar with one UsageError', () => {
    for (const bad of [
      't.c < NOW() - INTERVAL 2 FORTNIGHT',
      't.c < NOW() - INTERVAL -2 DAY',
      't.c < NOW() - INTERVAL 1.5 DAY',
      't.c < NOW() - 2',
      't.c < NOW() + INTERVAL 2 DAY',
      't.c < NOW(',
      't.c < SYSDATE()',
      't.c <> 3',
      't.c = NOW()',
      't.c < (SELECT 1)',
      't.c < NOW() - INTERVAL 2 DAY; DROP TABLE x',
    ]) {
      expect(() => parseFilter(bad), bad).toThrow(UsageError);
    }
  });

  it('the merge restore refuses comparisons and NOW() with a message naming them', () => {
    expect(() => parseWhere('contacts.last_activity_at < NOW() - INTERVAL 2 YEAR')).toThrow(/merge restore filters with =, IN or BETWEEN, not "<"/);
    expect(() => parseWhere('contacts.id >= 3')).toThrow(/not ">="/);
  });
});
