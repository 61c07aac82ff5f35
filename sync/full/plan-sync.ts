/**
 * The sync planner: turns table metadata, report definitions and options into the ordered SQL
 * of one run. Pure: no I/O, so `--dry-run` prints exactly this and tests check it without a server.
 */
import { copiedSelectList } from '../../src/rows/server-copy-sql.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { mirrorDdl } from './mirror-ddl.js';
import { type ReportDefinition, renderReportStatements } from '../reports/report-definitions.js';
import { type TableMeta, writableColumns } from '../../src/catalog/table-meta.js';
import { tempName } from '../../src/catalog/temp-names.js';

/** swap: build aside and swap in with one RENAME; lock: LOCK TABLES and refill in place. */
export type SyncStrategy = 'swap' | 'lock';

/** One mirror of a sync: the temporary name it is built under and the SQL that builds it. */
export interface TablePlan {
  table: string;
  /** The source's InnoDB DDL, recorded for backups. */
  sourceDdl: string;
  /** The temporary name the mirror is built under in the report schema. */
  temp: string;
  meta: TableMeta;
  /** The mirror's MyISAM CREATE TABLE, made from the source's DDL. */
  createSql: string;
  /**
   * Between DISABLE KEYS and ENABLE KEYS, MyISAM leaves its non-unique indexes alone and then
   * builds them by sorting, much faster than row by row.
   */
  disableKeysSql: string;
  /** Server-side copy (same server only); undefined when rows stream through the client. */
  copySql: string | undefined;
  /** Builds the indexes DISABLE KEYS deferred. */
  enableKeysSql: string;
  notes: string[];
}

/** One report of a sync: the statements that build it under its temporary name. */
export interface ReportPlan {
  name: string;
  temp: string;
  statements: string[];
  /** Source tables whose mirrors must be built first. */
  dependsOn: string[];
}

/** One full sync, planned: every statement in order, for the executor and `--dry-run`. */
export interface SyncPlan {
  sourceSchema: string;
  reportSchema: string;
  strategy: SyncStrategy;
  /** `server-side`: INSERT … SELECT on one server, then a checksum repair pass against the snapshot. */
  mode: 'server-side' | 'streamed';
  tables: TablePlan[];
  reports: ReportPlan[];
  /** Reports left out because a table they read is not in this run. */
  skippedReports: { name: string; missing: string[] }[];
  /** Makes the new tables live: one RENAME (swap) or the LOCK TABLES refill (lock). */
  publishSql: string[];
  /** Drops what the publish step replaced. */
  dropSql: string[];
  notes: string[];
}

/**
 * What `planSync` plans from: the schemas, the strategy, whether both schemas share a server, the
 * tables with their SHOW CREATE TABLE, the reports.
 */
export interface PlanInput {
  sourceSchema: string;
  reportSchema: string;
  strategy: SyncStrategy;
  sameServer: boolean;
  tables: { meta: TableMeta; showCreate: string }[];
  reports: readonly ReportDefinition[];
  /** Tables that exist in the report schema now (to know which live tables the swap replaces). */
  existingReportTables: readonly string[];
}

/**
 * Plans one full sync: a mirror per table (largest first), the reports whose tables are all in the
 * run, and the publish and drop statements of the strategy. Pure.
 */
export function planSync(input: PlanInput): SyncPlan {
  const { sourceSchema: src, reportSchema: rep } = input;
  const notes: string[] = [];
  // Largest tables first (longest-processing-time order), so the slowest copy does not start last.
  const ordered = [...input.tables].sort(
    (a, b) => b.meta.dataBytes - a.meta.dataBytes || a.meta.name.localeCompare(b.meta.name),
  );
  const tables: TablePlan[] = ordered.map(({ meta, showCreate }) => {
    const temp = tempName('new', meta.name);
    const cols = writableColumns(meta)
      .map((c) => quoteId(c.name))
      .join(', ');
    const tableNotes: string[] = [];
    if (meta.primaryKey.length === 0) {
      tableNotes.push(
        `${meta.name} has no primary key: it is checked and repaired as one chunk (full rebuild only)`,
      );
    }
    if (meta.columns.some((c) => c.generated)) {
      tableNotes.push(`${meta.name}: generated columns are recomputed by the mirror, not copied`);
    }
    notes.push(...tableNotes);
    return {
      table: meta.name,
      sourceDdl: showCreate,
      temp,
      meta,
      createSql: mirrorDdl(showCreate, rep, temp, `${src}.${meta.name}`),
      disableKeysSql: `ALTER TABLE ${qualify(rep, temp)} DISABLE KEYS`,
      copySql: input.sameServer
        ? `INSERT INTO ${qualify(rep, temp)} (${cols}) SELECT ${copiedSelectList(writableColumns(meta))} FROM ${qualify(src, meta.name)}`
        : undefined,
      enableKeysSql: `ALTER TABLE ${qualify(rep, temp)} ENABLE KEYS`,
      notes: tableNotes,
    };
  });

  const mirrored = new Map(tables.map((t) => [t.table, t.temp]));
  const reports: ReportPlan[] = [];
  const skippedReports: { name: string; missing: string[] }[] = [];
  for (const def of input.reports) {
    const missing = def.dependsOn.filter((d) => !mirrored.has(d));
    if (missing.length > 0) {
      skippedReports.push({ name: def.name, missing });
      notes.push(`report ${def.name} skipped: source table(s) ${missing.join(', ')} not in this run`);
      continue;
    }
    const temp = tempName('new', def.name);
    reports.push({
      name: def.name,
      temp,
      dependsOn: [...def.dependsOn],
      statements: renderReportStatements(def, (p) => qualify(rep, p === 'target' ? temp : mirrored.get(p)!)),
    });
  }

  const built: { live: string; temp: string; columns?: string; values?: string }[] = [
    ...tables.map((t) => ({ live: t.table, temp: t.temp, columns: writableColumns(t.meta).map((c) => quoteId(c.name)).join(', '), values: copiedSelectList(writableColumns(t.meta)) })),
    ...reports.map((r) => ({ live: r.name, temp: r.temp })),
  ];
  const existing = new Set(input.existingReportTables);
  const publishSql: string[] = [];
  const dropSql: string[] = [];
  if (input.strategy === 'swap') {
    // MyISAM has no rollback: build under temporary names, then one RENAME makes them all live at once.
    const pairs: string[] = [];
    for (const b of built) {
      if (existing.has(b.live)) {
        const old = tempName('old', b.live);
        pairs.push(`${qualify(rep, b.live)} TO ${qualify(rep, old)}`);
        dropSql.push(`DROP TABLE IF EXISTS ${qualify(rep, old)}`);
      }
      pairs.push(`${qualify(rep, b.temp)} TO ${qualify(rep, b.live)}`);
    }
    if (pairs.length) publishSql.push(`RENAME TABLE ${pairs.join(', ')}`);
  } else {
    // The design's literal form: lock the report tables and refill them in place. Tables that do
    // not exist yet are renamed into place first, so that LOCK TABLES can name them.
    const fresh = built.filter((b) => !existing.has(b.live));
    const kept = built.filter((b) => existing.has(b.live));
    if (fresh.length) {
      publishSql.push(
        `RENAME TABLE ${fresh.map((b) => `${qualify(rep, b.temp)} TO ${qualify(rep, b.live)}`).join(', ')}`,
      );
    }
    if (kept.length) {
      const locks = kept.flatMap((b) => [`${qualify(rep, b.live)} WRITE`, `${qualify(rep, b.temp)} READ`]);
      publishSql.push(`LOCK TABLES ${locks.join(', ')}`);
      for (const b of kept) {
        publishSql.push(`DELETE FROM ${qualify(rep, b.live)}`);
        // Named columns: `SELECT *` leaves INVISIBLE columns out, which then reset to their default.
        const cols = b.columns ? `(${b.columns}) SELECT ${b.values ?? b.columns}` : 'SELECT *';
        publishSql.push(`INSERT INTO ${qualify(rep, b.live)} ${cols} FROM ${qualify(rep, b.temp)}`);
      }
      publishSql.push('UNLOCK TABLES');
      for (const b of kept) dropSql.push(`DROP TABLE IF EXISTS ${qualify(rep, b.temp)}`);
    }
  }
  return {
    sourceSchema: src,
    reportSchema: rep,
    strategy: input.strategy,
    mode: input.sameServer ? 'server-side' : 'streamed',
    tables,
    reports,
    skippedReports,
    publishSql,
    dropSql,
    notes,
  };
}

/** The plan as text, for `--dry-run`. */
export function describePlan(plan: SyncPlan): string {
  const out: string[] = [
    `-- sync ${plan.sourceSchema} -> ${plan.reportSchema} (strategy ${plan.strategy}, ${plan.mode} copy)`,
    '-- 1. open one consistent snapshot of the source: START TRANSACTION WITH CONSISTENT SNAPSHOT',
  ];
  for (const t of plan.tables) {
    out.push(`-- table ${t.table}`, `${t.createSql};`, `${t.disableKeysSql};`);
    out.push(
      t.copySql
        ? `${t.copySql};  -- READ COMMITTED: no row locks on the source`
        : `-- stream rows of ${t.table} from the snapshot`,
    );
    out.push(
      '-- compare chunk checksums with the snapshot and rewrite the chunks that differ',
      `${t.enableKeysSql};`,
    );
  }
  for (const r of plan.reports) out.push(`-- report ${r.name}`, ...r.statements.map((s) => `${s};`));
  for (const s of plan.skippedReports)
    out.push(`-- report ${s.name} skipped: missing ${s.missing.join(', ')}`);
  out.push('-- publish', ...plan.publishSql.map((s) => `${s};`), ...plan.dropSql.map((s) => `${s};`));
  for (const n of plan.notes) out.push(`-- note: ${n}`);
  return out.join('\n');
}
