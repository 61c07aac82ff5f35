/**
 * Identifier arbitraries: mostly ordinary names, often hostile ones (reserved words, spaces,
 * non-ASCII, quotes, dots, backslashes, backticks, `%`) and names equal to words dualpipe's own SQL
 * uses for aliases and temp names.
 */
import fc from 'fast-check';
import type { GenEnv } from './column-arb.js';

/** Words that appear as aliases, variables or temp names in dualpipe's generated SQL. */
export const INTERNAL_WORDS = ['c', 'n', 'x', 'k', 'h', 'seq', 'tbl', 'op', 'pk', 'id', 'chunk', 'hash', 'rows', 'cnt', 'crc', 't', 's', 'b'];

const RESERVED = ['select', 'order', 'group', 'key', 'table', 'index', 'from', 'where', 'desc', 'interval', 'range', 'read', 'check', 'update', 'values', 'limit'];

// Identifiers are utf8mb3 in MariaDB: no characters outside the BMP.
const HOSTILE = [
  'my col', 'größe', 'имя', '名前', 'naïve café', "it's", 'a"b', 'a.b', 'a\\b', 'a`b', '100%', 'x%_y',
  'Ünïcödé_tbl', 'tab\tname', 'a,b', '(paren)', '-dash-', '1starts_digit', 'UPPER', '__dp_user', 'ключ№1',
];

/** A name for a table or column: `base` when ordinary, or a hostile one. */
export function nameArb(base: string, env: GenEnv): fc.Arbitrary<string> {
  if (env.disable.has('hostile-names')) return fc.constant(base);
  return fc.oneof(
    { weight: 10, arbitrary: fc.constant(base) },
    { weight: 2, arbitrary: fc.constantFrom(...INTERNAL_WORDS) },
    { weight: 1, arbitrary: fc.constantFrom(...RESERVED) },
    { weight: 2, arbitrary: fc.constantFrom(...HOSTILE) },
  );
}

/** Makes `wanted` unique (case-insensitively) among `taken`, which it then joins. */
export function uniqueName(wanted: string, taken: Set<string>): string {
  let name = wanted.slice(0, 60);
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${wanted.slice(0, 56)}_${i}`;
  taken.add(name.toLowerCase());
  return name;
}
