/**
 * Which columns of a mirror the incremental reports read. A changed row that differs from its old
 * version only in columns no report reads (most often `updated_at`) cannot change a report row,
 * so its report keys need not be recomputed (relevant-keys.ts).
 *
 * Read from the report's SQL text without parsing it, erring on the side of "read": a column is read
 * when its name occurs anywhere in the report's statements, `@changes` lines and `@refresh`
 * statements, even inside a longer word or a string, in any table and under any alias, with case
 * and accents ignored. A report that can read columns without naming them (`*` as a select list
 * or `t.*`, `NATURAL` joins, MySQL's `TABLE t`) or that names a generated column (whose value
 * follows columns it does not name) reads every column, and so does one that names a VECTOR. Pure.
 */
import type { ReportDefinition } from './report-definitions.js';

/** The report's SQL, every part of it. */
function reportText(def: ReportDefinition): string {
  const inc = def.incremental;
  return [...def.statements, ...(inc?.refresh ?? []), ...(inc?.rowChanges.map((c) => c.exprs) ?? []), ...(inc?.queryChanges.map((q) => q.sql) ?? [])].join('\n');
}

/** Words that may stand right before a `*` that is a select list rather than a product. */
const STAR_AFTER = /(?:^|[^A-Za-z0-9_$])(select|distinct|distinctrow|all|straight_join|sql_no_cache|sql_cache|sql_calc_found_rows|high_priority|sql_small_result|sql_big_result|sql_buffer_result)$/i;

/**
 * The text as the server parses it: comments become a space (an executable comment, `/*!…*\/` or
 * `/*M!…*\/`, keeps its text), string literals become `''` and quoted names `x`, so that neither
 * hides a `*` nor fakes one. `--` starts a comment only before a space or a control character, as
 * in MySQL.
 */
export function codeOf(sql: string): string {
  let out = '';
  for (let i = 0; i < sql.length; ) {
    const c = sql[i]!;
    const two = sql.slice(i, i + 2);
    if (two === '/*') {
      const end = sql.indexOf('*/', i + 2);
      const body = sql.slice(i + 2, end < 0 ? sql.length : end);
      const exec = /^(?:M?!\d*)?/.exec(body)![0];
      out += exec ? ` ${codeOf(body.slice(exec.length))} ` : ' ';
      i = end < 0 ? sql.length : end + 2;
    } else if (c === '#' || (two === '--' && (i + 2 >= sql.length || sql.charCodeAt(i + 2) <= 32))) {
      const end = sql.indexOf('\n', i);
      out += ' ';
      i = end < 0 ? sql.length : end;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      for (; j < sql.length; j++) {
        if (sql[j] === '\\' && c !== '`') j++;
        else if (sql[j] === c) {
          if (sql[j + 1] === c) j++;
          else break;
        }
      }
      out += c === '`' ? ' x ' : " '' ";
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** True when the text may read a table's columns without naming them. */
export function readsUnnamedColumns(sql: string): boolean {
  const code = codeOf(sql);
  if (/\bNATURAL\b/i.test(code)) return true;
  // MySQL's `TABLE t` statement (a whole mirror); `CREATE TABLE {{target}}` and the key tables are not mirrors.
  for (const m of code.matchAll(/\bTABLE\s*\{\{\s*([A-Za-z0-9_$]+)\s*\}\}/gi)) if (!['target', 'keys', 'changed'].includes(m[1]!)) return true;
  const text = code.replace(/\bCOUNT\s*\(\s*\*\s*\)/gi, 'COUNT(1)');
  for (let i = text.indexOf('*'); i >= 0; i = text.indexOf('*', i + 1)) {
    const before = text.slice(0, i).trimEnd();
    // `t.*`, `SELECT *`, `SELECT DISTINCT *`, `(*`, `, *`: a select list. After a name, a number or `)` it is a product.
    if (before === '' || /[.,(]$/.test(before) || STAR_AFTER.test(before)) return true;
  }
  return false;
}

/**
 * Folds text the way MySQL compares column names, and then some: case, accents (é is e, ß is s),
 * so that any spelling the server would resolve to a column is found. Folding too much only finds
 * more columns.
 */
export function foldName(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/ß/g, 's');
}

/** True when `text` (folded) holds the column's name, as written bare or inside `` ` `` or `"` quotes. */
export function mentions(folded: string, column: string): boolean {
  const n = foldName(column);
  return [n, n.replace(/`/g, '``'), n.replace(/"/g, '""')].some((v) => folded.includes(v));
}

/**
 * The columns of `table` that the incremental reports reading it may read, or 'all'; [] when no
 * incremental report reads it.
 */
export function columnsReportsRead(
  defs: readonly ReportDefinition[],
  table: string,
  columns: readonly { name: string; generated?: boolean; dataType?: string }[],
): string[] | 'all' {
  const readers = defs.filter((d) => d.incremental && d.dependsOn.includes(table));
  let folded = '';
  for (const def of readers) {
    const text = reportText(def);
    if (readsUnnamedColumns(text)) return 'all';
    folded += `${foldName(text)}\n`;
  }
  const read = columns.filter((c) => mentions(folded, c.name));
  // A VECTOR (MySQL 9) has no comparison to tell an unchanged one: every change counts.
  if (read.some((c) => c.generated || c.dataType?.toLowerCase() === 'vector')) return 'all';
  return read.map((c) => c.name);
}
