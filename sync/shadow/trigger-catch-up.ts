/**
 * Trigger capture's way of keeping the set a full sync replaces as the next shadow set
 * (keep-old-set.ts; binlog capture reads the catch-up from the binlog instead). The change-log rows
 * a full sync's snapshot sees are the changes since the last sync's snapshot, which the full sync
 * consumes: read here with their keys, and with their cascades derived against the live set the
 * full sync is about to replace, they are exactly what that set lacks, as an incremental run's own
 * keys are. Journaled under the full sync's run id, the next incremental run catches the kept set
 * up from the journal like any shadow set one run behind (copying those rows from the live set)
 * instead of copying every live table. Rows are always re-read, so a key too many is only slower.
 *
 * Read only when the log is a complete guide since the live set's snapshot: the live set is the
 * last successful sync's, under the same capture installation, over the same source definitions,
 * triggers fit every keyed table, the InnoDB table ids are readable (a TRUNCATE in between
 * journals the whole table), and there are no more changes than an incremental run would take.
 * The full sync writes the live set's marker before the kept set's (run-sync.ts), so a run killed
 * in between leaves no kept set beside a stale live marker.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import type { TableMeta } from '../../src/catalog/table-meta.js';
import { type ForeignKey, readForeignKeys } from '../../src/catalog/foreign-keys.js';
import { lastSucceededSync } from '../../src/history/run-history.js';
import type { Logger } from '../../src/log/logger.js';
import { type CaptureStatus, captureTriggers, fingerprintOf, sourceTables } from '../capture/capture.js';
import { addKey, type KeySet, readChangeRanges, readChanges } from '../capture/change-log.js';
import { fullSyncReason, type LastDetails } from '../capture/change-log-trust.js';
import { readCaptureMethod } from '../capture/capture-method.js';
import { deriveCascades } from '../capture/derive-cascades.js';
import { WHOLE_TABLE } from './journal.js';
import { GENERATION_TABLE, readGeneration } from './shadow-set.js';

/** The change-log rows a full sync consumes, and the keys that catch the replaced set up (or null). */
export interface FullSyncChanges {
  ranges: [bigint, bigint][];
  catchUp: Map<string, KeySet> | null;
}

/** What a full sync knows from its snapshot that the catch-up is decided and read from. */
interface FullSyncInput {
  sourceSchema: string;
  reportSchema: string;
  tables: readonly TableMeta[];
  /** The source's SHOW CREATE TABLE per table of the run (its source state). */
  ddl: Record<string, string>;
  capture: CaptureStatus;
  tableIds: Record<string, string> | null;
}

/**
 * Why the replaced set cannot be caught up from the log (the reasons an incremental run would be a
 * full sync, change-log-trust.ts, and a few more), or the last sync's table ids when it can.
 */
async function blocker(
  snap: SqlConnection,
  admin: SqlConnection,
  o: FullSyncInput & { fks: readonly ForeignKey[]; maxChangeShare: number },
): Promise<string | { tableIds: Record<string, string> }> {
  const c = o.capture;
  if ((await readCaptureMethod(admin, o.reportSchema)).method !== 'triggers') return 'not trigger capture';
  const live = await readGeneration(admin, o.reportSchema, GENERATION_TABLE);
  if (!live || live.dirty) return 'no clean live set';
  const last = await lastSucceededSync(admin, o.reportSchema);
  if (!last || last.id !== live.runId) return 'the live set is not the last successful sync\'s';
  const details = (last.details ?? {}) as LastDetails;
  if (!o.tableIds || !details.tableIds) return 'InnoDB table ids are not readable';
  // The source definitions are compared too: a foreign key dropped in between changes no trigger
  // and no table id, but it changes which cascades the log's keys stand for.
  const why = fullSyncReason({
    method: 'triggers',
    captureId: c.captureId,
    fingerprint: { installed: c.fingerprint, expected: fingerprintOf(captureTriggers(o.sourceSchema, await sourceTables(snap, o.sourceSchema), o.fks)) },
    uncapturedWithKey: c.uncaptured.filter((u) => !u.why.startsWith('no primary key')).map((u) => u.table),
    last: { details, ddl: ((last.sourceState ?? {}) as { ddl?: Record<string, string> }).ddl ?? {} },
    liveGeneration: live.runId,
    ddl: o.ddl,
    pending: c.pending,
    sourceRows: o.tables.reduce((a, m) => a + m.estimatedRows, 0),
    maxChangeShare: o.maxChangeShare,
  });
  return why ?? { tableIds: details.tableIds };
}

/**
 * In a full sync's snapshot, before anything is written: the change-log rows it consumes and, when
 * the replaced set can be caught up (see the file header), its catch-up keys.
 */
export async function readFullSyncChanges(
  snap: SqlConnection,
  admin: SqlConnection,
  o: FullSyncInput & {
    /** A whole swap (every table): only such a run can keep the set it replaces. */
    whole: boolean;
    maxChangeShare?: number;
    log: Logger;
  },
): Promise<FullSyncChanges> {
  if (!o.capture.installed) return { ranges: [], catchUp: null };
  const fks = o.whole ? await readForeignKeys(snap, o.sourceSchema) : [];
  const why = !o.whole ? 'not a whole swap' : await blocker(snap, admin, { ...o, fks, maxChangeShare: o.maxChangeShare ?? 0.2 });
  if (typeof why === 'string') return { ranges: await readChangeRanges(snap, o.sourceSchema), catchUp: null };
  const metas = new Map(o.tables.map((m) => [m.name, m]));
  let changes: Awaited<ReturnType<typeof readChanges>> | undefined;
  try {
    changes = await readChanges(snap, o.sourceSchema);
    const cascades = await deriveCascades(admin, o.reportSchema, metas, fks, changes.keys, { snap, schema: o.sourceSchema });
    const keys = new Map<string, KeySet>();
    for (const from of [changes.keys, cascades.derived]) for (const [t, set] of from) if (metas.has(t)) for (const [k, v] of set) addKey(keys, t, k, v.removed);
    for (const t of cascades.whole) addKey(keys, t, WHOLE_TABLE, false);
    for (const m of o.tables) if (why.tableIds[m.name] !== o.tableIds![m.name]) addKey(keys, m.name, WHOLE_TABLE, false);
    return { ranges: changes.ranges, catchUp: keys };
  } catch (error) {
    // A live mirror missing or unreadable, or a log key the run cannot read: the set is not kept,
    // the next run copies afresh; the full sync itself consumes the log as before.
    o.log.warn({ err: (error as Error).message }, 'cannot derive the replaced set\'s catch-up: the next incremental run copies it afresh');
    return { ranges: changes?.ranges ?? (await readChangeRanges(snap, o.sourceSchema)), catchUp: null };
  }
}
