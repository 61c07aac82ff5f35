/**
 * One mirror's changed keys applied to its shadow: the key tables filled, the report keys the
 * changed rows touch collected in their old and new versions (refresh-reports.ts), and the rows
 * rewritten (apply-to-shadow.ts). When the run copies from the live set (copy-from-live.ts), this
 * run's own keys are listed apart, with the report keys they touch as the live set and the shadow
 * hold them: the rest of the journal's keys, and the report rows they alone touch, come from the
 * live tables.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import type { TableMeta } from '../../src/catalog/table-meta.js';
import type { ReportDefinition } from '../reports/report-definitions.js';
import { type ApplyResult, applyKeys, changedKeysTable, fillChangedKeys } from './apply-to-shadow.js';
import { ownKeysTable, ownReportKeysTable } from './copy-from-live.js';
import { collectRowKeys } from './refresh-reports.js';

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
 * Applies the keys; returns what applyKeys did and, when the run copies from the live set, the
 * table that lists this run's own keys of the mirror (none when it has none).
 */
export async function applyChangedKeys(snap: SqlConnection, admin: SqlConnection, o: ChangedKeys): Promise<ApplyResult & { rowsFromLive: number; batchesRepaired: number; ownTable?: string }> {
  const { work, meta } = o;
  await fillChangedKeys(admin, work, meta, o.all);
  // Every key is this run's own unless the journal adds others.
  const split = o.fromLive && o.all.length > o.own.length;
  const ownTable = split ? ownKeysTable(meta.name) : changedKeysTable(meta.name);
  if (split) await fillChangedKeys(admin, work, meta, o.own, ownTable);
  const collectOwn = o.fromLive && o.own.length > 0;
  for (const def of o.reports) {
    await collectRowKeys(admin, work, def, meta);
    if (collectOwn) await collectRowKeys(admin, work, def, meta, { from: qualify(o.live, meta.name), keys: ownTable, into: ownReportKeysTable(def.name) });
  }
  const r = await applyKeys(snap, admin, {
    sourceSchema: o.source,
    reportSchema: work,
    meta,
    keys: split ? o.own : o.all,
    copier: o.copier,
    pace: o.pace,
    ...(split ? { journal: { live: o.live, own: ownTable } } : {}),
  });
  for (const def of o.reports) {
    await collectRowKeys(admin, work, def, meta);
    if (collectOwn) await collectRowKeys(admin, work, def, meta, { keys: ownTable, into: ownReportKeysTable(def.name) });
  }
  return { ...r, ...(collectOwn ? { ownTable } : {}) };
}
