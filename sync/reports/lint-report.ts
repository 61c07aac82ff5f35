/**
 * Problems of one report file, each with its line, for `dualpipe report check`: the parser
 * (report-definitions.ts) stops at the first problem and names no line; this reports them all. Pure.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseReportDefinition } from './report-definitions.js';

/** One problem of a report file; `line` counts from 1. */
export interface ReportProblem {
  file: string;
  line: number;
  message: string;
}

const ANNOTATION = /^--\s*@([A-Za-z]+)\b(.*)$/;
const KEY_LINE = /^--\s*@key\s+[A-Za-z0-9_$]+(?:\s*,\s*[A-Za-z0-9_$]+)*\s*$/;
const CHANGES_LINE = /^--\s*@changes\s+([A-Za-z0-9_$]+)(?:\s+([A-Za-z0-9_$]+))?\s*:\s*(.+)$/;

/** The 1-based line where `needle` first appears in `text` (1 when absent). */
export function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  return at < 0 ? 1 : text.slice(0, at).split('\n').length;
}

/** Every problem of a report file's text; empty when `parseReportDefinition` accepts it. */
export function lintReportText(file: string, text: string): ReportProblem[] {
  const problems: ReportProblem[] = [];
  const add = (line: number, message: string) => problems.push({ file, line, message });
  const lines = text.split('\n');
  let keyAt = 0;
  let refreshAt = 0;
  lines.forEach((l, i) => {
    const m = ANNOTATION.exec(l);
    if (!m) return;
    const kind = m[1]!;
    if (kind === 'key') {
      if (keyAt) add(i + 1, `a second @key line (the first is on line ${keyAt})`);
      keyAt = i + 1;
      if (!KEY_LINE.test(l)) add(i + 1, 'bad @key line: write "-- @key col1, col2" (column names only)');
    } else if (kind === 'changes') {
      if (!CHANGES_LINE.test(l)) add(i + 1, 'bad @changes line: write "-- @changes table alias: expressions" or "-- @changes table: SELECT …"');
    } else if (kind === 'refresh') {
      if (!/^--\s*@refresh\s*$/.test(l)) add(i + 1, '@refresh stands alone on its line');
      refreshAt = i + 1;
    } else add(i + 1, `unknown annotation @${kind} (known: @key, @changes, @refresh)`);
  });
  if (keyAt && !refreshAt) add(keyAt, '@key needs a @refresh section (they go together)');
  if (refreshAt && !keyAt) add(refreshAt, '@refresh needs a @key line (they go together)');
  if (!/\{\{\s*target\s*\}\}/.test(refreshAt ? lines.slice(0, refreshAt - 1).join('\n') : text)) {
    add(1, 'the build never names {{target}}, the table it builds');
  }
  if (problems.length === 0) {
    // What the line checks above do not cover (name, empty file, @changes coverage): the parser's word.
    try {
      parseReportDefinition(file, text);
    } catch (error) {
      const message = (error as Error).message.replace(`report file ${file}: `, '').replace(`report file ${file} `, '');
      const missing = /no @changes line for (.+?),/.exec(message);
      add(missing ? lineOf(text, `{{${missing[1]!.split(', ')[0]!}}}`) : refreshAt && /keys/.test(message) ? refreshAt : 1, message);
    }
  }
  return problems;
}

/** The problems of every `*.sql` file of the folders (an unreadable folder is one problem). */
export function lintReportsDirs(dirs: readonly string[]): ReportProblem[] {
  const problems: ReportProblem[] = [];
  for (const dir of dirs) {
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
    } catch (error) {
      problems.push({ file: dir, line: 0, message: `cannot read the folder: ${(error as Error).message}` });
      continue;
    }
    for (const f of files) problems.push(...lintReportText(join(dir, f), readFileSync(join(dir, f), 'utf8')));
  }
  return problems;
}
