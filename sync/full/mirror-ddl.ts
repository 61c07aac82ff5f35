/**
 * Turns the source's `SHOW CREATE TABLE` into the DDL of its MyISAM mirror. Pure.
 * MyISAM has no foreign keys, so FOREIGN KEY constraints are dropped, and so are table-level
 * CHECK constraints (a mirror holds whatever rows the source holds); InnoDB-only table
 * options (ROW_FORMAT=COMPRESSED, KEY_BLOCK_SIZE, STATS_*, PAGE_*) and partitioning (MySQL 8
 * cannot partition MyISAM) are removed, and so are MySQL's functional indexes and indexes over
 * VIRTUAL columns (see isFunctionalKey). Columns, generated columns, other keys and FULLTEXT
 * indexes stay.
 */
import { qualify } from '../../src/db/quote.js';
import { SchemaChangedError } from '../../src/errors.js';

const FK_LINE = /^\s*(CONSTRAINT\s+`(?:[^`]|``)*`\s+)?FOREIGN KEY\b/i;
/** A table-level CHECK constraint: mirrors copy rows, they do not validate them again. */
const CHECK_LINE = /^\s*(CONSTRAINT\s+`(?:[^`]|``)*`\s+)?CHECK\s*\(/i;

/**
 * True for a key with a functional key part, `KEY fx ((lower(`s`)), `n`)` (MySQL 8.0.13+). MySQL
 * implements such a part as a hidden virtual generated column, and MyISAM "does not support the
 * create option 'Index on virtual generated column'": the mirror could not be created at all. An
 * index holds no data of its own, so the mirror goes without it (a UNIQUE one too: the mirror
 * holds the source's rows, it does not check them again). The same MySQL refusal meets a plain
 * index over a VIRTUAL column, which mirrorDdl leaves out for the same reason (MariaDB's MyISAM
 * would take it; one DDL for both servers keeps mirrors alike).
 */
export function isFunctionalKey(line: string): boolean {
  const m = /^\s*(?:(?:UNIQUE|FULLTEXT|SPATIAL)\s+)?KEY\s+`(?:[^`]|``)*`\s*\(([\s\S]*)$/i.exec(line);
  if (!m) return false;
  // Quoted names may hold anything; with them blanked, a part that opens with `(` is an expression.
  const parts = m[1]!.replace(/`(?:[^`]|``)*`/g, '``').replace(/'(?:[^'\\]|\\.|'')*'/g, "''");
  return /^\s*\(|,\s*\(/.test(parts);
}

/**
 * The mirror's CREATE TABLE (named `newName` in `schema`) from `showCreate`, the output of
 * `SHOW CREATE TABLE source`. Discovery lists only base tables, so any other output means the
 * table was replaced (by a view, say) since.
 */
export function mirrorDdl(showCreate: string, schema: string, newName: string, source = 'the source table'): string {
  const lines = showCreate.split('\n');
  const head = lines[0] ?? '';
  if (!/^CREATE TABLE /i.test(head))
    throw new SchemaChangedError(source, `SHOW CREATE TABLE does not give a CREATE TABLE (${head.slice(0, 60)}): is it still a base table?`);
  const body: string[] = [];
  const virtual = new Set<string>();
  let tail = '';
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\)/.test(line)) {
      tail = lines.slice(i).join('\n');
      break;
    }
    if (FK_LINE.test(line) || CHECK_LINE.test(line) || isFunctionalKey(line)) continue;
    const col = /^\s*(`(?:[^`]|``)*`)\s.*\bVIRTUAL\b/.exec(line);
    if (col) virtual.add(col[1]!);
    const key = /^\s*(?:(?:UNIQUE|FULLTEXT|SPATIAL)\s+)?KEY\s+`(?:[^`]|``)*`\s*\(([\s\S]*)$/i.exec(line);
    if (key && [...key[1]!.matchAll(/`(?:[^`]|``)*`/g)].some((m) => virtual.has(m[0]))) continue;
    body.push(line.replace(/,\s*$/, ''));
  }
  const options = tail
    .replace(/\/\*!\d+\s*PARTITION BY[\s\S]*?\*\//i, '')
    .replace(/\bPARTITION BY[\s\S]*$/i, '')
    .replace(/\bENGINE\s*=\s*\w+/i, 'ENGINE=MyISAM')
    .replace(/\s+AUTO_INCREMENT=\d+/i, '')
    .replace(/\s+ROW_FORMAT=\w+/i, '')
    .replace(/\s+KEY_BLOCK_SIZE=\d+/i, '')
    .replace(/\s+STATS_(PERSISTENT|AUTO_RECALC|SAMPLE_PAGES)=\w+/gi, '')
    .replace(/\s+`?PAGE_COMPRESS(ED|ION_LEVEL)`?=\S+/gi, '')
    .replace(/\s+`?ENCRYPTED`?=\S+/gi, '')
    .trimEnd();
  return `CREATE TABLE ${qualify(schema, newName)} (\n${body.join(',\n')}\n${options}`;
}
