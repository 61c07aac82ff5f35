/**
 * The `--where` parser: every filter in the grammar parses to what it says, renders with
 * placeholders only (no user text in the SQL), and anything else is one UsageError, never a crash.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWhere, renderWhere } from '../../../backup/restore/where-filter.js';
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
