/**
 * Which report files a run builds: the user's folders (`--reports-dir`, config `reports.dir`,
 * DUALPIPE_REPORTS_DIR) and, for the CRM schema only, the bundled CRM reports. Files are read at
 * run time from the folders given, so a new file counts at the next run (no build step).
 *
 * The CRM is detected from the source's table list: a schema that holds every table the bundled
 * reports read (contacts, organizations, users, transactions, …) is the CRM. That is what the
 * bundled reports need to build at all; a shop with an `orders` table never gets them (and never
 * sees a "skipped" line for each of them).
 */
import { existsSync, statSync } from 'node:fs';
import type { SqlConnection } from '../../src/db/connection.js';
import { UsageError } from '../../src/errors.js';
import { defaultReportsDir, loadReportDefinitions, type ReportDefinition } from './report-definitions.js';

/** Where a run's reports come from. */
export interface ReportSetOptions {
  /** Folders of `rpt_*.sql` files (absolute, or relative to the process's working directory). */
  dirs?: readonly string[];
  /**
   * The bundled CRM reports: true always, false never, undefined (the default) only when the
   * source is the CRM schema (`isCrmSchema`).
   */
  builtin?: boolean;
}

/** One folder's reports; an absent folder is a usage error (a typo must not silently drop reports). */
export function loadReportsDir(dir: string): ReportDefinition[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`reports folder ${dir} does not exist`, { hint: 'create it, or fix --reports-dir / reports.dir' });
  }
  return loadReportDefinitions(dir);
}

/** The source tables the bundled CRM reports read. */
export function crmReportTables(): string[] {
  return [...new Set(loadReportDefinitions(defaultReportsDir()).flatMap((d) => d.dependsOn))].sort();
}

/** Whether a source with these tables is the CRM: it holds every table the bundled reports read. Pure. */
export function isCrmSchema(sourceTables: Iterable<string>, needed: readonly string[] = crmReportTables()): boolean {
  const have = new Set(sourceTables);
  return needed.length > 0 && needed.every((t) => have.has(t));
}

/**
 * Merges report lists from several folders; the same table name twice is one usage error naming
 * both files (the sync could build only one of them, and which one would be an accident). Pure.
 */
export function mergeReportSets(sets: readonly (readonly ReportDefinition[])[]): ReportDefinition[] {
  const byName = new Map<string, ReportDefinition>();
  for (const set of sets) {
    for (const def of set) {
      const other = byName.get(def.name);
      if (other) {
        throw new UsageError(`two report files build ${def.name}: ${other.file} and ${def.file}`, {
          hint: 'rename or remove one of them (a report table name must be unique across the report folders)',
        });
      }
      byName.set(def.name, def);
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The reports of a run. `sourceTables` (every table of the source, not only the synced ones) is
 * needed when `builtin` is undefined; without it the bundled reports are left out.
 */
export function loadReportSet(o: ReportSetOptions, sourceTables?: Iterable<string>): ReportDefinition[] {
  const builtin = o.builtin ?? (sourceTables !== undefined && isCrmSchema(sourceTables));
  const sets = (o.dirs ?? []).map(loadReportsDir);
  if (builtin) sets.unshift(loadReportDefinitions(defaultReportsDir()));
  return mergeReportSets(sets);
}

/** Every base table of a schema (what `isCrmSchema` looks at). */
export async function listSourceTables(conn: SqlConnection, schema: string): Promise<string[]> {
  const rows = await conn.query<{ t: string }>(
    "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'",
    [schema],
  );
  return rows.map((r) => r.t);
}

/** The reports of a sync run: explicit `reports` win; else the report set, the CRM detected on `conn`. */
export async function reportsOfRun(
  conn: SqlConnection,
  sourceSchema: string,
  o: { reports?: readonly ReportDefinition[] | undefined; reportSet?: ReportSetOptions | undefined },
): Promise<readonly ReportDefinition[]> {
  if (o.reports) return o.reports;
  const set = o.reportSet ?? {};
  return loadReportSet(set, set.builtin === undefined ? await listSourceTables(conn, sourceSchema) : undefined);
}

/** One line of `dualpipe report list`. */
export interface ReportListing {
  name: string;
  title: string;
  folder: string;
  file: string;
  /** The source tables whose mirrors it reads. */
  mirrors: string[];
  /** Whether an incremental sync refreshes it by key (else it is rebuilt whole). */
  incremental: boolean;
  /** Whether it is one of the bundled CRM reports. */
  builtin: boolean;
}

/** The listing of report definitions. Pure. */
export function listReports(defs: readonly ReportDefinition[]): ReportListing[] {
  const builtinDir = defaultReportsDir().replace(/\/$/, '');
  return defs.map((d) => {
    const folder = d.file.replace(/\/[^/]*$/, '');
    return { name: d.name, title: d.title, folder, file: d.file, mirrors: d.dependsOn, incremental: d.incremental !== undefined, builtin: folder === builtinDir };
  });
}
