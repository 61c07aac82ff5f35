/** The tokenizer of `--where` (where-filter.ts holds the grammar). */
import { UsageError } from '../../src/errors.js';

/** The hint of every `--where` syntax error. */
export const WHERE_HINT = 'write e.g. --where "contacts.id IN (42, 43)" or --where "contacts.email = \'a@b.c\'"';

/** One token of `--where`: a name, a number, a quoted string or a symbol, with its offset. */
export type Token = { kind: 'id' | 'num' | 'str' | 'sym'; text: string; at: number };

/** Splits `--where` into tokens; a character outside the grammar is one UsageError saying where. */
export function tokenize(source: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new UsageError(`--where: ${what} at character ${i + 1}`, { hint: WHERE_HINT });
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
    } else if (ch === '-' && !/[0-9]/.test(source[i + 1] ?? '')) {
      out.push({ kind: 'sym', text: ch, at: i });
      i++;
    } else if ((ch === '<' || ch === '>') && source[i + 1] === '=') {
      out.push({ kind: 'sym', text: `${ch}=`, at: i });
      i += 2;
    } else if (/[-0-9]/.test(ch)) {
      const m = /^-?\d{1,30}(\.\d{1,30})?/.exec(source.slice(i));
      if (!m) fail('a number was expected');
      out.push({ kind: 'num', text: m![0], at: i });
      i += m![0].length;
    } else if (ch === "'") {
      const at = i;
      out.push({ kind: 'str', text: quoted("'", 'string'), at });
    } else if ('.,()=<>'.includes(ch)) {
      out.push({ kind: 'sym', text: ch, at: i });
      i++;
    } else {
      fail(`unexpected "${ch}"`);
    }
  }
  return out;
}

