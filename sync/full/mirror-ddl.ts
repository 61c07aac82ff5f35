/**
 * Turns the source's `SHOW CREATE TABLE` into the DDL of its MyISAM mirror. Pure.
 * MyISAM has no foreign keys, so FOREIGN KEY constraints are dropped, and so are table-level
 * CHECK constraints (a mirror holds whatever rows the source holds); InnoDB-only table
 * options (ROW_FORMAT=COMPRESSED, KEY_BLOCK_SIZE, STATS_*, PAGE_*) and partitioning (MySQL 8
 * cannot partition MyISAM) are removed. Columns, generated columns, keys and FULLTEXT indexes stay.
 */
import { qualify } from '../../src/db/quote.js';
import { SchemaChangedError } from '../../src/errors.js';

const FK_LINE = /^\s*(CONSTRAINT\s+`(?:[^`]|``)*`\s+)?FOREIGN KEY\b/i;
/** A table-level CHECK constraint: mirrors copy rows, they do not validate them again. */
const CHECK_LINE = /^\s*(CONSTRAINT\s+`(?:[^`]|``)*`\s+)?CHECK\s*\(/i;

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
  let tail = '';
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\)/.test(line)) {
      tail = lines.slice(i).join('\n');
      break;
    }
    if (FK_LINE.test(line) || CHECK_LINE.test(line)) continue;
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
