/**
 * The `--where` filter of a merge restore, parsed into a small tree and rendered with quoted
 * identifiers and `?` placeholders: the user's text never reaches SQL. The grammar is what an
 * undelete needs, on one table:
 *
 *   filter := cond ( AND cond )*
 *   cond   := column = value | column IN ( value, … ) | column BETWEEN value AND value
 *   column := table.name | name            (plain or `backquoted` names)
 *   value  := integer | decimal | 'string' ('' for a quote) | NULL is not accepted
 */
import { quoteId } from '../../src/db/quote.js';
import { UsageError } from '../../src/errors.js';

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

const MAX_VALUES = 10_000;
const HINT = 'write e.g. --where "contacts.id IN (42, 43)" or --where "contacts.email = \'a@b.c\'"';

type Token = { kind: 'id' | 'num' | 'str' | 'sym'; text: string; at: number };

function tokenize(source: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new UsageError(`--where: ${what} at character ${i + 1}`, { hint: HINT });
  };
  /** Reads from the opening `q` at i to its closing one (a doubled `q` is one character); moves i past it. */
  const quoted = (q: string, what: string): string => {
    let j = i + 1;
    let text = '';
    for (;;) {
      if (j >= source.length) fail(`unterminated ${what}`);
      if (source[j] === q) {
        if (source[j + 1] !== q) break;
        text += q;
        j += 2;
        continue;
      }
      text += source[j++];
    }
    i = j + 1;
    return text;
  };
  while (i < source.length) {
    const ch = source[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (/[A-Za-z_$]/.test(ch)) {
      const m = /^[A-Za-z0-9_$]+/.exec(source.slice(i))![0];
      out.push({ kind: 'id', text: m, at: i });
      i += m.length;
    } else if (ch === '`') {
      const at = i;
      const name = quoted('`', 'name');
      if (name.length === 0 || name.length > 64 || name.includes('\0')) fail('a `name` must have 1 to 64 characters');
      out.push({ kind: 'id', text: name, at });
    } else if (/[-0-9]/.test(ch)) {
      const m = /^-?\d{1,30}(\.\d{1,30})?/.exec(source.slice(i));
      if (!m) fail('a number was expected');
      out.push({ kind: 'num', text: m![0], at: i });
      i += m![0].length;
    } else if (ch === "'") {
      const at = i;
      out.push({ kind: 'str', text: quoted("'", 'string'), at });
    } else if ('.,()='.includes(ch)) {
      out.push({ kind: 'sym', text: ch, at: i });
      i++;
    } else {
      fail(`unexpected "${ch}"`);
    }
  }
  return out;
}

/** Parses a filter; any text that is not in the grammar gets one UsageError saying where. */
export function parseWhere(text: string): RowFilter {
  if (text.length > 1_000_000) throw new UsageError('--where: longer than 1,000,000 characters', { hint: HINT });
  const tokens = tokenize(text);
  let p = 0;
  const peek = () => tokens[p];
  const fail = (what: string): never => {
    const t = peek();
    throw new UsageError(`--where: ${what} ${t ? `at character ${t.at + 1} ("${t.text.slice(0, 20)}")` : 'at the end'}`, { hint: HINT });
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
  let table: string | undefined;
  const conditions: FilterCondition[] = [];
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
    let cond: FilterCondition;
    if (peek()?.kind === 'sym' && peek()!.text === '=') {
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
      return fail('=, IN or BETWEEN expected');
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
export function renderWhere(filter: RowFilter, alias: string): { sql: string; params: FilterValue[] } {
  const parts: string[] = [];
  const params: FilterValue[] = [];
  for (const c of filter.conditions) {
    const col = `${quoteId(alias)}.${quoteId(c.column)}`;
    if (c.op === '=') parts.push(`${col} = ?`);
    else if (c.op === 'IN') parts.push(`${col} IN (${c.values.map(() => '?').join(', ')})`);
    else parts.push(`${col} BETWEEN ? AND ?`);
    params.push(...c.values);
  }
  return { sql: parts.join(' AND '), params };
}
