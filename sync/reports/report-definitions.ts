/**
 * Report tables are defined as one SQL file each: the CRM's in `schema/reports/`, a user's in the
 * folders given at run time (report-set.ts, docs/custom-reports.md). A file holds the
 * statements that build the table, separated by `;` at the end of a line. Placeholders:
 * `{{target}}` is the table being built (under a temporary name until the swap), and
 * `{{name}}` is the mirror of source table `name` (also under its temporary name while the run
 * builds it). A report whose mirrors are absent from the run is skipped with a note.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CRM_REPORTS_DIR } from '../../schema/crm-reports.js';
import { UsageError } from '../../src/errors.js';

/**
 * How a report follows its mirrors incrementally (optional; without it an incremental sync
 * rebuilds the report whole). Written in the report file as comment lines:
 *   -- @key contact_id                       the report's key columns
 *   -- @changes transactions t: t.contact_id  keys of rows of a mirror, old and new versions
 *   -- @changes users: SELECT … {{changed}} …  keys found from the changed keys of a mirror
 *   -- @refresh                              the statements after it recompute the rows of
 *                                            the keys in {{keys}}
 */
export interface IncrementalDefinition {
  key: string[];
  /** `exprs` over the row alias, evaluated on each changed row before and after the change. */
  rowChanges: { table: string; alias: string; exprs: string }[];
  /** A SELECT of report keys, with `{{changed}}` the changed primary keys of `table`. */
  queryChanges: { table: string; sql: string }[];
  refresh: string[];
}

/** One report table: its name, the SQL that builds it and the source tables it reads. */
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
  incremental?: IncrementalDefinition;
}

/** Placeholders that are not mirrors. */
const SPECIAL = new Set(['target', 'keys', 'changed']);

function splitStatements(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => !/^\s*--/.test(l))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function parseIncremental(file: string, text: string): IncrementalDefinition | undefined {
  const lines = text.split('\n');
  const keyLine = lines.find((l) => /^--\s*@key\b/.test(l));
  const at = lines.findIndex((l) => /^--\s*@refresh\s*$/.test(l));
  if (!keyLine && at < 0) return undefined;
  if (!keyLine || at < 0) throw new UsageError(`report file ${file}: @key and @refresh go together`);
  const key = keyLine.replace(/^--\s*@key\s*/, '').split(',').map((k) => k.trim()).filter(Boolean);
  if (key.length === 0 || key.some((k) => !/^[A-Za-z0-9_$]+$/.test(k))) throw new UsageError(`report file ${file}: bad @key line`);
  const rowChanges: IncrementalDefinition['rowChanges'] = [];
  const queryChanges: IncrementalDefinition['queryChanges'] = [];
  for (const l of lines) {
    const m = /^--\s*@changes\s+([A-Za-z0-9_$]+)(?:\s+([A-Za-z0-9_$]+))?\s*:\s*(.+)$/.exec(l);
    if (!m) {
      if (/^--\s*@changes\b/.test(l)) throw new UsageError(`report file ${file}: bad @changes line: ${l.slice(0, 80)}`);
      continue;
    }
    const [, table, alias, rest] = m;
    if (/^SELECT\b/i.test(rest!.trim())) queryChanges.push({ table: table!, sql: rest!.trim() });
    else rowChanges.push({ table: table!, alias: alias ?? table!, exprs: rest!.trim() });
  }
  const refresh = splitStatements(lines.slice(at + 1).join('\n'));
  if (!refresh.some((s) => s.includes('{{keys}}'))) throw new UsageError(`report file ${file}: the @refresh statements never use {{keys}}`);
  return { key, rowChanges, queryChanges, refresh };
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
  const refreshAt = text.split('\n').findIndex((l) => /^--\s*@refresh\s*$/.test(l));
  const statements = splitStatements(refreshAt < 0 ? text : text.split('\n').slice(0, refreshAt).join('\n'));
  if (statements.length === 0) throw new UsageError(`report file ${file} holds no statement`);
  const deps = new Set<string>();
  const incremental = parseIncremental(file, text);
  if (incremental) {
    // Every mirror the full build reads must say how its changes map to report keys, or the
    // report would go stale silently when only that mirror changes.
    const covered = new Set([...incremental.rowChanges.map((c) => c.table), ...incremental.queryChanges.map((c) => c.table)]);
    const read = new Set(statements.flatMap((st) => [...st.matchAll(PLACEHOLDER)].map((m) => m[1]!)).filter((p) => !SPECIAL.has(p)));
    const missing = [...read].filter((t) => !covered.has(t));
    if (missing.length) throw new UsageError(`report file ${file}: no @changes line for ${missing.join(', ')}, which the report reads`);
  }
  const all = [...statements, ...(incremental?.refresh ?? []), ...(incremental?.queryChanges.map((q) => q.sql) ?? [])];
  for (const s of all) for (const m of s.matchAll(PLACEHOLDER)) if (!SPECIAL.has(m[1]!)) deps.add(m[1]!);
  for (const c of incremental?.rowChanges ?? []) deps.add(c.table);
  for (const c of incremental?.queryChanges ?? []) deps.add(c.table);
  if (!statements.some((s) => s.includes('{{target}}'))) {
    throw new UsageError(`report file ${file} never names {{target}}, the table it builds`);
  }
  return {
    name: base,
    title: titleLine ? titleLine.replace(/^--\s*/, '') : base,
    statements,
    dependsOn: [...deps].sort(),
    file,
    ...(incremental ? { incremental } : {}),
  };
}

/** Replaces placeholders with quoted names. Pure. */
export function renderReportStatements(
  def: ReportDefinition,
  names: (placeholder: string) => string,
): string[] {
  return def.statements.map((s) => renderSql(s, names));
}

/** Replaces the placeholders of one statement. Pure. */
export function renderSql(sql: string, names: (placeholder: string) => string): string {
  return sql.replace(PLACEHOLDER, (_m, name: string) => names(name));
}

/** The bundled CRM report folder (`schema/reports`). */
export function defaultReportsDir(): string {
  return CRM_REPORTS_DIR;
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

/** A digest of what a report computes: an incremental run refreshes rows only when it is unchanged. */
export function reportFingerprint(def: ReportDefinition): string {
  return createHash('sha256').update(JSON.stringify({ statements: def.statements, incremental: def.incremental ?? null })).digest('hex').slice(0, 16);
}

/**
 * `reportFingerprint` of each report, by name: a sync records them, so the next incremental run
 * knows which reports changed since.
 */
export function reportFingerprints(defs: readonly ReportDefinition[]): Record<string, string> {
  return Object.fromEntries(defs.map((d) => [d.name, reportFingerprint(d)]));
}
