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

/**
 * Applies the keys; returns what applyKeys did, the table of the mirror's keys reports collect
 * from (`reportKeys`: the changed keys, or only those that can change a report, relevant-keys.ts)
 * and, when the run copies from the live set, the same for this run's own keys (`ownTable`; none
 * when it has none).
 */
export async function applyChangedKeys(
  snap: SqlConnection,
  admin: SqlConnection,
  o: ChangedKeys,
): Promise<ApplyResult & { rowsFromLive: number; batchesRepaired: number; reportKeys: string; ownTable?: string }> {
  const { work, meta } = o;
  await fillChangedKeys(admin, work, meta, o.all);
  // Every key is this run's own unless the journal adds others.
  const split = o.fromLive && o.all.length > o.own.length;
  const ownKeys = split ? ownKeysTable(meta.name) : changedKeysTable(meta.name);
  if (split) await fillChangedKeys(admin, work, meta, o.own, ownKeys);
  const collectOwn = o.fromLive && o.own.length > 0;
  // Reports see only the keys whose change they can see, when their SQL says which columns they read.
  const read = columnsReportsRead(o.reports, meta.name, meta.columns);
  const columns = read !== 'all' && o.reports.some((d) => d.dependsOn.includes(meta.name)) ? read : undefined;
  const filter = columns !== undefined;
  const seen = filter ? relevantKeysTable(meta.name) : changedKeysTable(meta.name);
  const ownSeen = filter ? relevantOwnKeysTable(meta.name) : ownKeys;
  const collect = async (ownFrom?: string) => {
    for (const def of o.reports) {
      await collectRowKeys(admin, work, def, meta, { keys: seen });
      if (collectOwn) await collectRowKeys(admin, work, def, meta, { ...(ownFrom ? { from: ownFrom } : {}), keys: ownSeen, into: ownReportKeysTable(def.name) });
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
      if (columns) {
        const shadow = qualify(work, shadowName(meta.name));
        await fillRelevantKeys(admin, { work, meta, keys: changedKeysTable(meta.name), old: shadow, stage, into: seen, columns });
        if (collectOwn) await fillRelevantKeys(admin, { work, meta, keys: ownKeys, old: qualify(o.live, meta.name), stage, into: ownSeen, columns });
      }
      await collect(qualify(o.live, meta.name));
    },
  });
  await collect();
  return { ...r, reportKeys: seen, ...(collectOwn ? { ownTable: ownSeen } : {}) };
}
