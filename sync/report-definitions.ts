/**
 * Report tables are defined as one SQL file each in `schema/reports/`. A file holds the
 * statements that build the table, separated by `;` at the end of a line. Placeholders:
 * `{{target}}` is the table being built (under a temporary name until the swap), and
 * `{{name}}` is the mirror of source table `name` (also under its temporary name while the run
 * builds it). A report whose mirrors are absent from the run is skipped with a note.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../src/errors.js';

export interface ReportDefinition {
  /** Table name, `rpt_…`, from the file name. */
  name: string;
  /** First comment line of the file. */
  title: string;
  /** The statements, with placeholders still in them. */
  statements: string[];
  /** Source tables whose mirrors the report reads, from its placeholders. */
  dependsOn: string[];
  file: string;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_$]+)\s*\}\}/g;
const REPORT_NAME = /^rpt_[a-z0-9_]{1,60}$/;

/** Parses one report file's text. Pure. */
export function parseReportDefinition(file: string, text: string): ReportDefinition {
  const base = file.replace(/^.*\//, '').replace(/\.sql$/, '');
  if (!REPORT_NAME.test(base)) {
    throw new UsageError(`report file ${file}: the name must look like rpt_something.sql (lower case)`);
  }
  const titleLine = text.split('\n').find((l) => l.startsWith('--'));
  const withoutComments = text
    .split('\n')
    .filter((l) => !/^\s*--/.test(l))
    .join('\n');
  const statements = withoutComments
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (statements.length === 0) throw new UsageError(`report file ${file} holds no statement`);
  const deps = new Set<string>();
  for (const s of statements) for (const m of s.matchAll(PLACEHOLDER)) if (m[1] !== 'target') deps.add(m[1]!);
  if (!statements.some((s) => s.includes('{{target}}'))) {
    throw new UsageError(`report file ${file} never names {{target}}, the table it builds`);
  }
  return {
    name: base,
    title: titleLine ? titleLine.replace(/^--\s*/, '') : base,
    statements,
    dependsOn: [...deps].sort(),
    file,
  };
}

/** Replaces placeholders with quoted names. Pure. */
export function renderReportStatements(
  def: ReportDefinition,
  names: (placeholder: string) => string,
): string[] {
  return def.statements.map((s) => s.replace(PLACEHOLDER, (_m, name: string) => names(name)));
}

/** The bundled report folder, found from source (`sync/`) or compiled output (`dist/sync/`). */
export function defaultReportsDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  return join(here, '..', 'schema', 'reports');
}

/** Loads every `rpt_*.sql` file of a folder, sorted by name. */
export function loadReportDefinitions(dir: string = defaultReportsDir()): ReportDefinition[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.sql'));
  } catch {
    return [];
  }
  return files.sort().map((f) => parseReportDefinition(join(dir, f), readFileSync(join(dir, f), 'utf8')));
}
