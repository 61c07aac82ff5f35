/**
 * The plan of an incremental sync, decided from plain facts with no I/O (the facts are read by
 * read-incremental-facts.ts; execute-incremental.ts runs the plan; `--dry-run` prints it). The
 * plan says whether the change log is a safe guide (else: a full sync, and why), which tables are
 * copied whole and why, which foreign keys' cascades are followed, and the ordered steps.
 */
import type { ChangeBatch, KeySet } from '../capture/change-log.js';
import type { ForeignKey } from '../../src/catalog/foreign-keys.js';
import type { TableMeta } from '../../src/catalog/table-meta.js';
import { DualpipeError } from '../../src/errors.js';
import { type ReportDefinition, reportFingerprints } from '../reports/report-definitions.js';
import { planRunKeys, WHOLE_TABLE } from '../shadow/journal.js';
import { type Generation, shadowSetProblem } from '../shadow/shadow-set.js';
import { type CascadeRule, cascadeRules } from '../capture/derive-cascades.js';
import { fullSyncReason, type LastDetails } from '../capture/change-log-trust.js';
import type { CaptureMethod } from '../capture/capture-method.js';

/** What the servers say before a run, as far as deciding between incremental and full goes. */
export interface SourceFacts {
  /** The mirrored source tables (the exclude list applied), in source order. */
  tables: readonly TableMeta[];
  /** Every foreign key among the source tables. */
  foreignKeys: readonly ForeignKey[];
  capture: {
    /** Which capture the run reads (capture-method.ts). */
    method: CaptureMethod;
    /** Binlog capture: the live generation's resume position (absent or null: none recorded). */
    resume?: string | null;
    /** Binlog capture: why the binlog cannot guide this run (read after the other checks passed). */
    binlogFallback?: string;
    captureId: number | null;
    /** Installed trigger fingerprint, and the one the current keys and foreign keys call for. */
    fingerprint: { installed: string | null; expected: string };
    /** Mirrored tables without triggers, or without a primary key, and why. */
    uncaptured: readonly { table: string; why: string }[];
  };
  /** SHOW CREATE TABLE of every mirrored table. */
  ddl: Record<string, string>;
  /** Report definitions whose source tables are all mirrored. */
  reports: readonly ReportDefinition[];
  /** The last successful sync: its details and the table DDL it recorded. */
  last: { details: LastDetails; ddl: Record<string, string> } | undefined;
  liveGeneration: Generation | null;
  shadowGeneration: Generation | null;
  /** Tables in the report schema and its internal schema now (shadows live there). */
  reportTables: readonly string[];
  /** Change-log rows pending. */
  pending: number;
  /** InnoDB table ids (null: not readable). A changed id means TRUNCATE or a rebuild. */
  tableIds: Record<string, string> | null;
}

/** What changed since the live set; read only when the source facts call for no full sync. */
export interface ChangeFacts {
  log: ChangeBatch;
  /** Cascaded keys derived from the live mirrors (derive-cascades.ts). */
  cascades: { derived: ReadonlyMap<string, KeySet>; rows: number; whole: ReadonlySet<string> };
  /** Keys of earlier runs the shadow set has not seen (empty when it must be copied afresh). */
  journal: ReadonlyMap<string, KeySet>;
  /** Tables the capture itself says to copy whole, and why (binlog capture: TRUNCATE, unmapped key types). */
  whole?: readonly { table: string; why: string }[];
}

/** Everything `planIncremental` decides from. */
export interface IncrementalFacts {
  sourceSchema: string;
  reportSchema: string;
  options: { include: readonly string[]; paranoid: boolean; maxChangeShare: number };
  /** Absent when `options.include` is set: such a run is a full sync, nothing more is read. */
  source?: SourceFacts;
  changes?: ChangeFacts;
}

/** One step of an incremental run, in order. */
export type IncrementalStep =
  | { step: 'prepare-shadow'; prime: boolean; reason?: string; tables: string[] }
  | { step: 'apply'; table: string; logKeys: number; cascadeKeys: number; journalKeys: number; whole: boolean }
  | { step: 'paranoid-check'; tables: string[] }
  | { step: 'refresh-reports'; reports: { name: string; whole: boolean }[] }
  | { step: 'publish'; tables: string[] }
  | { step: 'consume-log'; rows: number };

/** A table copied whole into the shadow set; `fromJournal`: only because an earlier run did. */
export interface WholeTable {
  table: string;
  reason: string;
  fromJournal: boolean;
}

/** The plan of a run that applies the change log. */
export interface IncrementalRunPlan {
  kind: 'incremental';
  sourceSchema: string;
  reportSchema: string;
  changeLogRows: number;
  cascadeRows: number;
  copiedWhole: WholeTable[];
  /** The foreign keys whose actions were followed to derive cascaded changes. */
  cascades: CascadeRule[];
  steps: IncrementalStep[];
  notes: string[];
}

/** What an incremental run will do: a full sync (and why), or apply the change log. */
export type IncrementalPlan = { kind: 'full'; reason: string } | IncrementalRunPlan;

/** Why this run must be a full sync, from the source facts alone, or undefined. Pure. */
export function fallbackReason(f: IncrementalFacts): string | undefined {
  if (f.options.include.length) return '--tables limits a run to some tables: incremental runs cover them all';
  const s = f.source;
  if (!s) throw new DualpipeError('incremental facts without the source facts');
  const kept = new Set(s.tables.map((m) => m.name));
  // A cascade crossing from an excluded table into a mirrored one could not be derived.
  const crossing = s.foreignKeys.find((fk) => kept.has(fk.child) !== kept.has(fk.parent));
  if (crossing) return `foreign key ${crossing.name} links excluded and mirrored tables`;
  if (s.capture.binlogFallback) return s.capture.binlogFallback;
  const reason = fullSyncReason({
    method: s.capture.method,
    resume: s.capture.resume ?? null,
    captureId: s.capture.captureId,
    fingerprint: s.capture.fingerprint,
    reports: { now: reportFingerprints(s.reports), last: s.last?.details.reportHashes },
    uncapturedWithKey: s.capture.uncaptured.filter((u) => !u.why.startsWith('no primary key')).map((u) => u.table),
    last: s.last,
    liveGeneration: s.liveGeneration?.runId ?? null,
    ddl: s.ddl,
    pending: s.pending,
    sourceRows: s.tables.reduce((a, m) => a + m.estimatedRows, 0),
    maxChangeShare: f.options.maxChangeShare,
  });
  if (reason) return reason;
  const present = new Set(s.reportTables);
  const missing = liveTables(s).filter((t) => !present.has(t));
  if (missing.length) return `table(s) ${missing.join(', ')} missing from ${f.reportSchema}`;
  return undefined;
}

/** Plans an incremental run from the facts. Pure. */
export function planIncremental(f: IncrementalFacts): IncrementalPlan {
  const reason = fallbackReason(f);
  if (reason) return { kind: 'full', reason };
  const s = f.source!;
  const c = f.changes;
  if (!c) throw new DualpipeError('incremental facts without the changes');
  const live = s.liveGeneration!;
  const notes: string[] = [];
  const whole = new Map<string, WholeTable>();
  const copyWhole = (table: string, why: string, fromJournal = false) => {
    if (!whole.has(table)) whole.set(table, { table, reason: why, fromJournal });
  };
  for (const u of s.capture.uncaptured) copyWhole(u.table, u.why);
  for (const w of c.whole ?? []) copyWhole(w.table, w.why);
  const lastIds = s.last?.details.tableIds;
  if (s.tableIds && lastIds) {
    for (const m of s.tables) {
      if (s.tableIds[m.name] === undefined) notes.push(`no InnoDB table id for ${m.name}: a TRUNCATE of it is found only by \`verify\` or --paranoid`);
      else if (lastIds[m.name] !== s.tableIds[m.name]) copyWhole(m.name, 'emptied or rebuilt since the last sync (its InnoDB table id changed)');
    }
  } else notes.push('InnoDB table ids are not readable (PROCESS privilege): a TRUNCATE is found only by `verify` or --paranoid');
  for (const t of c.cascades.whole) copyWhole(t, 'an ON UPDATE cascade re-keys its primary key');
  for (const [t, set] of c.journal) if (set.has(WHOLE_TABLE)) copyWhole(t, 'an earlier run copied it whole: the shadow set catches up', true);

  const tables = liveTables(s);
  const problem = shadowSetProblem(s.shadowGeneration, live, tables, new Set(s.reportTables));
  const needWhole = new Set(whole.keys());
  const incReports = s.reports.filter((r) => r.incremental && !r.dependsOn.some((d) => needWhole.has(d)));
  const feedsReports = new Set(s.reports.flatMap((r) => r.dependsOn));
  // Mirrors that reports read go first, so the refreshes overlap the rest of the mirror work.
  const order = [...s.tables].sort((x, y) => Number(!feedsReports.has(x.name)) - Number(!feedsReports.has(y.name)));
  const steps: IncrementalStep[] = [
    { step: 'prepare-shadow', prime: problem !== null, ...(problem ? { reason: problem } : {}), tables },
    ...order.map((m): IncrementalStep => ({
      step: 'apply',
      table: m.name,
      logKeys: c.log.keys.get(m.name)?.size ?? 0,
      cascadeKeys: c.cascades.derived.get(m.name)?.size ?? 0,
      journalKeys: c.journal.get(m.name)?.size ?? 0,
      whole: needWhole.has(m.name),
    })),
    ...(f.options.paranoid ? [{ step: 'paranoid-check', tables: order.map((m) => m.name) } as const] : []),
    { step: 'refresh-reports', reports: s.reports.map((r) => ({ name: r.name, whole: !incReports.includes(r) })) },
    { step: 'publish', tables },
    { step: 'consume-log', rows: c.log.rows },
  ];
  return {
    kind: 'incremental',
    sourceSchema: f.sourceSchema,
    reportSchema: f.reportSchema,
    changeLogRows: c.log.rows,
    cascadeRows: c.cascades.rows,
    copiedWhole: [...whole.values()],
    cascades: cascadeRules(new Map(s.tables.map((m) => [m.name, m])), s.foreignKeys),
    steps,
    notes,
  };
}

/**
 * The keys this run journals for the next one (log, cascades, tables copied whole by this run);
 * the shadow set gets them plus the journal's. Pure.
 */
export function runKeys(plan: IncrementalRunPlan, changes: ChangeFacts): Map<string, KeySet> {
  const tables = new Set(plan.steps.flatMap((s) => (s.step === 'apply' ? [s.table] : [])));
  const whole = new Set(plan.copiedWhole.filter((w) => !w.fromJournal).map((w) => w.table));
  return planRunKeys({ tables, sources: [changes.log.keys, changes.cascades.derived], whole, journal: changes.journal }).own;
}

/** The mirrored tables and the report tables: what the swap publishes. */
function liveTables(s: SourceFacts): string[] {
  return [...s.tables.map((m) => m.name), ...s.reports.map((d) => d.name)];
}
