/**
 * The `--where` filter of a merge restore, parsed into a small tree and rendered with quoted
 * identifiers and `?` placeholders: the user's text never reaches SQL. The grammar is what an
 * undelete needs, on one table:
 *
 *   filter := cond ( AND cond )*
 *   cond   := column = value | column IN ( value, … ) | column BETWEEN value AND value
 *           | column (< | <= | > | >=) (value | NOW() [- INTERVAL integer UNIT])   (`parseFilter` only)
 *   column := table.name | name            (plain or `backquoted` names)
 *   value  := integer | decimal | 'string' ('' for a quote) | NULL is not accepted
 *   UNIT   := SECOND | MINUTE | HOUR | DAY | WEEK | MONTH | YEAR
 *
 * The comparisons and NOW() are `dualpipe archive`'s: `parseWhere` (the merge restore, which tests
 * chunk lines in Node and prunes chunks by key ranges) refuses them with one UsageError.
 */
import { quoteId } from '../../src/db/quote.js';
import { UsageError } from '../../src/errors.js';
import { type Token, tokenize, WHERE_HINT } from './where-tokens.js';

/**
 * A value of `--where`: a number when it is a safe integer, otherwise its exact text (a quoted
 * string, a decimal, a larger integer), so nothing is rounded.
 */
export type FilterValue = string | number;

/**
 * One condition of `--where`: `column = v`, `column IN (v, …)` or `column BETWEEN a AND b`, with
 * its values in order.
 */
export interface FilterCondition {
  column: string;
  op: '=' | 'IN' | 'BETWEEN';
  values: FilterValue[];
}

/** A parsed `--where`: conditions joined by AND, all on one table. */
export interface RowFilter {
  /** The table the filter names; undefined when no condition qualified its column. */
  table: string | undefined;
  conditions: FilterCondition[];
}

/** The units of `NOW() - INTERVAL n UNIT`: a fixed list, so the unit's word is ours, never the user's. */
export const INTERVAL_UNITS = ['SECOND', 'MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'YEAR'] as const;

/** One unit of `INTERVAL_UNITS`. */
export type IntervalUnit = (typeof INTERVAL_UNITS)[number];

/** `NOW()` or `NOW() - INTERVAL count unit`: the server's clock, not the client's. */
export interface NowValue {
  now: true;
  minus?: { count: number; unit: IntervalUnit };
}

/** `column < v` (or <=, >, >=), v a literal or a `NowValue`. */
export interface ComparisonCondition {
  column: string;
  op: '<' | '<=' | '>' | '>=';
  values: [FilterValue | NowValue];
}

/** A parsed `--where` of `parseFilter`: the merge forms plus comparisons, on one table. */
export interface WideFilter {
  table: string | undefined;
  conditions: (FilterCondition | ComparisonCondition)[];
}

/** True for the comparison forms the merge restore does not take. */
export function isComparison(c: FilterCondition | ComparisonCondition): c is ComparisonCondition {
  return c.op === '<' || c.op === '<=' || c.op === '>' || c.op === '>=';
}

const MAX_VALUES = 10_000;

/**
 * Parses a merge restore's filter (=, IN, BETWEEN); any text that is not in the grammar gets one
 * UsageError saying where, and a comparison or NOW() one saying that only `archive` takes them.
 */
export function parseWhere(text: string): RowFilter {
  const f = parseFilter(text);
  const bad = f.conditions.find(isComparison);
  if (bad)
    throw new UsageError(`--where: a merge restore filters with =, IN or BETWEEN, not "${bad.op}" or NOW()`, {
      hint: 'write the values out, e.g. --where "contacts.id BETWEEN 1 AND 500"',
    });
  return { table: f.table, conditions: f.conditions.filter((c): c is FilterCondition => !isComparison(c)) };
}

/** Parses a filter with comparisons and NOW() (`dualpipe archive`); anything else is one UsageError. */
export function parseFilter(text: string): WideFilter {
  if (text.length > 1_000_000) throw new UsageError('--where: longer than 1,000,000 characters', { hint: WHERE_HINT });
  const tokens = tokenize(text);
  let p = 0;
  const peek = () => tokens[p];
  const fail = (what: string): never => {
    const t = peek();
    throw new UsageError(`--where: ${what} ${t ? `at character ${t.at + 1} ("${t.text.slice(0, 20)}")` : 'at the end'}`, { hint: WHERE_HINT });
  };
  const isWord = (t: Token | undefined, w: string) => t?.kind === 'id' && t.text.toUpperCase() === w;
  const expectSym = (s: string) => {
    if (peek()?.kind !== 'sym' || peek()!.text !== s) fail(`"${s}" expected`);
    p++;
  };
  const value = (): FilterValue => {
    const t = peek();
    if (t?.kind === 'num') {
      p++;
      // Decimals and integers past 2^53 stay text: the server converts them exactly.
      return /^-?\d+$/.test(t.text) && Number.isSafeInteger(Number(t.text)) ? Number(t.text) : t.text;
    }
    if (t?.kind === 'str') {
      p++;
      return t.text;
    }
    return fail('a number or a quoted string expected');
  };
  /** A literal, or `NOW()` with an optional `- INTERVAL n UNIT`. */
  const limit = (): FilterValue | NowValue => {
    if (!isWord(peek(), 'NOW')) return value();
    p++;
    expectSym('(');
    expectSym(')');
    if (peek()?.kind !== 'sym' || peek()!.text !== '-') return { now: true };
    p++;
    if (!isWord(peek(), 'INTERVAL')) fail('INTERVAL expected');
    p++;
    const n = peek();
    if (n?.kind !== 'num' || !/^\d{1,9}$/.test(n.text)) fail('a whole number of units expected');
    p++;
    const unit = INTERVAL_UNITS.find((u) => isWord(peek(), u));
    if (!unit) fail(`a unit expected (${INTERVAL_UNITS.join(', ')})`);
    p++;
    return { now: true, minus: { count: Number(n!.text), unit: unit! } };
  };
  let table: string | undefined;
  const conditions: (FilterCondition | ComparisonCondition)[] = [];
  let values = 0;
  for (;;) {
    const first = peek();
    if (first?.kind !== 'id') fail('a column name expected');
    p++;
    let column = first!.text;
    if (peek()?.kind === 'sym' && peek()!.text === '.') {
      p++;
      const col = peek();
      if (col?.kind !== 'id') fail('a column name expected after "."');
      p++;
      if (table !== undefined && table !== column)
        throw new UsageError(`--where: names two tables (${table}, ${column})`, { hint: 'filter on one table: its dependent rows follow by foreign keys' });
      table = column;
      column = col!.text;
    }
    let cond: FilterCondition | ComparisonCondition;
    const sym = peek()?.kind === 'sym' ? peek()!.text : '';
    if (sym === '<' || sym === '<=' || sym === '>' || sym === '>=') {
      p++;
      cond = { column, op: sym, values: [limit()] };
    } else if (sym === '=') {
      p++;
      cond = { column, op: '=', values: [value()] };
    } else if (isWord(peek(), 'IN')) {
      p++;
      expectSym('(');
      const vs = [value()];
      while (peek()?.kind === 'sym' && peek()!.text === ',') {
        p++;
        vs.push(value());
        if (vs.length > MAX_VALUES) fail(`more than ${MAX_VALUES} values`);
      }
      expectSym(')');
      cond = { column, op: 'IN', values: vs };
    } else if (isWord(peek(), 'BETWEEN')) {
      p++;
      const lo = value();
      if (!isWord(peek(), 'AND')) fail('AND expected');
      p++;
      cond = { column, op: 'BETWEEN', values: [lo, value()] };
    } else {
      return fail('=, IN, BETWEEN, <, <=, > or >= expected');
    }
    values += cond.values.length;
    if (values > MAX_VALUES) fail(`more than ${MAX_VALUES} values`);
    conditions.push(cond);
    if (p === tokens.length) break;
    if (!isWord(peek(), 'AND')) fail('AND or the end expected');
    p++;
  }
  return { table, conditions };
}

/** The filter as SQL on the alias `alias`, with its parameters. */
export function renderWhere(filter: RowFilter | WideFilter, alias: string): { sql: string; params: FilterValue[] } {
  const parts: string[] = [];
  const params: FilterValue[] = [];
  for (const c of filter.conditions) {
    const col = `${quoteId(alias)}.${quoteId(c.column)}`;
    if (isComparison(c)) {
      const v = c.values[0];
      if (typeof v !== 'object') {
        parts.push(`${col} ${c.op} ?`);
        params.push(v);
      } else if (!v.minus) {
        parts.push(`${col} ${c.op} NOW()`);
      } else {
        // The unit is a word from INTERVAL_UNITS, never the user's text.
        parts.push(`${col} ${c.op} NOW() - INTERVAL ? ${v.minus.unit}`);
        params.push(v.minus.count);
      }
      continue;
    }
    if (c.op === '=') parts.push(`${col} = ?`);
    else if (c.op === 'IN') parts.push(`${col} IN (${c.values.map(() => '?').join(', ')})`);
    else parts.push(`${col} BETWEEN ? AND ?`);
    params.push(...c.values);
  }
  return { sql: parts.join(' AND '), params };
}
