/**
 * The line syntax of MySQL option files (`my.cnf`), as mysys/my_default.cc reads them. Hand-written:
 * the INI parsers on npm (ini, js-ini, …) do not know `!include`/`!includedir`, MySQL's escapes
 * (`\s`), `#` comments that end a value outside quotes, or repeated keys whose last one wins.
 *
 * MySQL facts kept here:
 * - Leading whitespace is ignored; a line starting with `#` or `;` is a comment.
 * - `#` outside quotes starts a comment anywhere on an option line; `;` only at the start.
 * - `key=value`, `key = value`, or a bare `key` (a boolean such as `skip-ssl`).
 * - A value wrapped in matching `'…'` or `"…"` loses the quotes (keeping inner spaces and `#`).
 * - Backslash escapes `\b \t \n \r \\ \s \" \'` are decoded in every value, quoted or not; any other
 *   backslash is kept as is (so `C:\path` survives).
 * - Option names treat `-` and `_` alike; group names compare case-insensitively.
 */
import { ConfigError } from '../errors.js';

/** One line of an option file, after parsing. */
export type OptionLine =
  | { kind: 'group'; name: string }
  | { kind: 'option'; key: string; value: string | undefined }
  | { kind: 'include'; path: string }
  | { kind: 'includedir'; path: string };

const ESCAPES: Readonly<Record<string, string>> = {
  b: '\b',
  t: '\t',
  n: '\n',
  r: '\r',
  s: ' ',
  '"': '"',
  "'": "'",
  '\\': '\\',
};

/** Cuts a `#` comment that is outside quotes (a `\"` inside quotes does not end them). */
function removeEndComment(text: string): string {
  let quote = '';
  let escape = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if ((c === '"' || c === "'") && !escape) {
      if (!quote) quote = c;
      else if (quote === c) quote = '';
    } else if (!quote && c === '#') return text.slice(0, i);
    escape = quote !== '' && c === '\\' && !escape;
  }
  return text;
}

/** Decodes one option value: strips matching outer quotes, then the backslash escapes. */
export function decodeOptionValue(raw: string): string {
  let value = raw.trim();
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) {
    value = value.slice(1, -1);
  }
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && i < value.length - 1) {
      const next = value[++i]!;
      out += ESCAPES[next] ?? `\\${next}`;
    } else out += c;
  }
  return out;
}

/** Encodes a value so that `decodeOptionValue` gives it back (double quotes, escapes). */
export function encodeOptionValue(value: string): string {
  const body = value.replace(/[\\"\n\t\r\b]/g, (c) => {
    const name = Object.entries(ESCAPES).find(([k, v]) => v === c && k !== 's')![0];
    return `\\${name}`;
  });
  return `"${body}"`;
}

/** An option name in one spelling: lower case, `_` as `-`, without MySQL's `loose-` prefix. */
export function canonicalOptionName(name: string): string {
  return name.trim().toLowerCase().replaceAll('_', '-').replace(/^loose-/, '');
}

/**
 * Parses an option file's text into lines. An option before any `[group]` is an error, as in MySQL
 * ("Found option without preceding group"); the message names the file and line, never the value.
 */
export function parseOptionText(text: string, path: string): OptionLine[] {
  const out: OptionLine[] = [];
  let inGroup = false;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trimStart();
    if (!line || line.startsWith('#') || line.startsWith(';')) return;
    const where = `${path} line ${index + 1}`;
    const directive = /^!(includedir|include)\s+(.+)$/.exec(line.trimEnd());
    if (directive) {
      const target = directive[2]!.trim();
      out.push(directive[1] === 'include' ? { kind: 'include', path: target } : { kind: 'includedir', path: target });
      return;
    }
    if (line.startsWith('!')) {
      throw new ConfigError(`option file ${where}: unknown directive`, { field: 'optionFile', hint: 'use !include FILE or !includedir DIR' });
    }
    if (line.startsWith('[')) {
      const end = line.indexOf(']');
      if (end < 0) throw new ConfigError(`option file ${where}: a group name without "]"`, { field: 'optionFile' });
      out.push({ kind: 'group', name: line.slice(1, end).trim().toLowerCase() });
      inGroup = true;
      return;
    }
    if (!inGroup) {
      throw new ConfigError(`option file ${where}: an option before any [group]`, {
        field: 'optionFile',
        hint: 'put connection options under [client] or [dualpipe]',
      });
    }
    const body = removeEndComment(line).trimEnd();
    if (!body) return;
    const keyEnd = body.search(/[=\s]/);
    const key = canonicalOptionName(keyEnd < 0 ? body : body.slice(0, keyEnd));
    const eq = body.indexOf('=');
    out.push({ kind: 'option', key, value: eq < 0 ? undefined : decodeOptionValue(body.slice(eq + 1)) });
  });
  return out;
}
