/**
 * One mirror's changed keys applied to its shadow: the key tables filled, the report keys the
 * changed rows touch collected in their old and new versions (refresh-reports.ts), and the rows
 * rewritten (apply-to-shadow.ts). When the run copies from the live set (copy-from-live.ts), this
 * run's own keys are listed apart, with the report keys they touch as the live set and the shadow
 * hold them: the rest of the journal's keys, and the report rows they alone touch, come from the
 * live tables. Reports collect only from the keys whose change they can see (relevant-keys.ts).
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import type { TableMeta } from '../../src/catalog/table-meta.js';
import type { ReportDefinition } from '../reports/report-definitions.js';
import { type ApplyResult, applyKeys, changedKeysTable, fillChangedKeys } from './apply-to-shadow.js';
import { ownKeysTable, ownReportKeysTable } from './copy-from-live.js';
import { collectRowKeys } from './refresh-reports.js';
import { fillRelevantKeys, relevantKeysTable, relevantOwnKeysTable } from './relevant-keys.js';
import { columnsReportsRead } from '../reports/report-columns.js';
import { shadowName } from '../shadow/shadow-set.js';

/** One mirror's keys to apply and where they go. */
export interface ChangedKeys {
  /** The source schema, the internal schema (shadows, key tables) and the report schema (the live set). */
  source: string;
  work: string;
  live: string;
  meta: TableMeta;
  /** Every key to bring up to the snapshot: this run's own and the journal's. */
  all: readonly string[];
  /** This run's own keys (log and cascades): read from the snapshot. */
  own: readonly string[];
  /** Copy the journal's other keys from the live set, and collect the own keys' report keys apart. */
  fromLive: boolean;
  reports: readonly ReportDefinition[];
  copier: SqlConnection | undefined;
  pace: () => Promise<void>;
}

/** The key tables one report collects from for this mirror: all of the run's keys, and its own. */
export interface ReportKeyTables {
  keys: string;
  own: string;
}

/**
 * Applies the keys; returns what applyKeys did and, per report that reads the mirror, the tables of
 * the keys it collects from: the changed keys, or only those that can change it (relevant-keys.ts;
 * reports that read the same columns share them). `own` is only meaningful when the run copies
 * from the live set and has own keys of the mirror (`hasOwn`).
 */
export async function applyChangedKeys(
  snap: SqlConnection,
  admin: SqlConnection,
  o: ChangedKeys,
): Promise<ApplyResult & { rowsFromLive: number; batchesRepaired: number; reportKeys: Map<string, ReportKeyTables>; hasOwn: boolean }> {
  const { work, meta } = o;
  await fillChangedKeys(admin, work, meta, o.all);
  // Every key is this run's own unless the journal adds others.
  const split = o.fromLive && o.all.length > o.own.length;
  const ownKeys = split ? ownKeysTable(meta.name) : changedKeysTable(meta.name);
  if (split) await fillChangedKeys(admin, work, meta, o.own, ownKeys);
  const collectOwn = o.fromLive && o.own.length > 0;
  // Each report sees only the keys whose change it can see, when its SQL says which columns it reads.
  const groups = new Map<string, { columns: string[] | 'all'; tables: ReportKeyTables }>();
  const reportKeys = new Map<string, ReportKeyTables>();
  for (const def of o.reports.filter((d) => d.dependsOn.includes(meta.name))) {
    const columns = columnsReportsRead([def], meta.name, meta.columns);
    const id = columns === 'all' ? '*' : JSON.stringify(columns);
    if (!groups.has(id)) {
      const n = groups.size;
      const tables = columns === 'all' ? { keys: changedKeysTable(meta.name), own: ownKeys } : { keys: relevantKeysTable(meta.name, n), own: relevantOwnKeysTable(meta.name, n) };
      groups.set(id, { columns, tables });
    }
    reportKeys.set(def.name, groups.get(id)!.tables);
  }
  const collect = async (ownFrom?: string) => {
    for (const def of o.reports) {
      const t = reportKeys.get(def.name) ?? { keys: changedKeysTable(meta.name), own: ownKeys };
      await collectRowKeys(admin, work, def, meta, { keys: t.keys });
      if (collectOwn) await collectRowKeys(admin, work, def, meta, { ...(ownFrom ? { from: ownFrom } : {}), keys: t.own, into: ownReportKeysTable(def.name) });
    }
  };
  const r = await applyKeys(snap, admin, {
    sourceSchema: o.source,
    reportSchema: work,
    meta,
    keys: split ? o.own : o.all,
    copier: o.copier,
    pace: o.pace,
    ...(split ? { journal: { live: o.live, own: ownKeys } } : {}),
    // The old versions: the shadow's rows before the merge, and for own keys the live set's.
    beforeMerge: async (stage) => {
      for (const { columns, tables } of groups.values()) {
        if (columns === 'all') continue;
        await fillRelevantKeys(admin, { work, meta, keys: changedKeysTable(meta.name), old: qualify(work, shadowName(meta.name)), stage, into: tables.keys, columns });
        if (collectOwn) await fillRelevantKeys(admin, { work, meta, keys: ownKeys, old: qualify(o.live, meta.name), stage, into: tables.own, columns });
      }
      await collect(qualify(o.live, meta.name));
    },
  });
  await collect();
  return { ...r, reportKeys, hasOwn: collectOwn };
}

/** What each mirror's apply returned, gathered for the reports' refresh (refresh-reports.ts). */
export class ReportKeyRegistry {
  private readonly byReport = new Map<string, Map<string, ReportKeyTables>>();
  private readonly withOwn = new Set<string>();

  add(mirror: string, r: { reportKeys: ReadonlyMap<string, ReportKeyTables>; hasOwn: boolean }): void {
    if (r.hasOwn) this.withOwn.add(mirror);
    for (const [report, t] of r.reportKeys) {
      if (!this.byReport.has(report)) this.byReport.set(report, new Map());
      this.byReport.get(report)!.set(mirror, t);
    }
  }

  /** For one report, per changed mirror it reads: its key table, and its own-key table where the run has own keys. */
  forReport(report: string): { keysOf: Map<string, string>; own: Map<string, string> } {
    const mine = [...(this.byReport.get(report) ?? new Map<string, ReportKeyTables>())];
    return { keysOf: new Map(mine.map(([m, t]) => [m, t.keys])), own: new Map(mine.filter(([m]) => this.withOwn.has(m)).map(([m, t]) => [m, t.own])) };
  }
}
