/**
 * Binlog capture keeps the live set a full sync replaced as the next shadow set (run-sync.ts,
 * keepOldSetAsShadow), so that the first incremental run after a full sync need not copy every
 * table into the shadow set. No journal links that older set to the live one: its catch-up is
 * read here from the binlog instead, from the older set's own resume position up to a position at
 * or after this run's snapshot, with the cascades derived against the older set's own mirrors
 * (the shadows), exactly as a run derives them against the live set. The keys then act as the
 * journal: applied to the shadow set together with this run's own. Rows are re-read from this
 * run's snapshot, so reading up to a later position than the snapshot's only adds keys.
 * Returns null when the binlog cannot say (purged, DDL, too many changes): the run then copies
 * the live set into the shadow set, as before.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { internalSchemaOf } from '../../src/catalog/internal-schema.js';
import { addKey, type KeySet } from '../capture/change-log.js';
import { readBinlogChanges } from '../capture/binlog/binlog-changes.js';
import { type BinlogPosition, compareBinlogPositions, parseBinlogPosition, readBinlogPosition } from '../capture/binlog/binlog-position.js';
import { deriveCascades } from '../capture/derive-cascades.js';
import { WHOLE_TABLE } from '../shadow/journal.js';
import { shadowName } from '../shadow/shadow-set.js';
import type { IncrementalOptions } from './incremental-types.js';
import { changeLimit } from '../capture/change-log.js';
import type { SourceFacts } from './plan-incremental.js';

/** The keys that bring the shadow set (behind a full sync, at `from`) up to the run's snapshot, or null. */
export async function catchUpFromBinlog(
  snap: SqlConnection,
  admin: SqlConnection,
  o: IncrementalOptions,
  source: SourceFacts,
  from: string,
): Promise<Map<string, KeySet> | null> {
  const to = await readBinlogPosition(snap);
  let start: BinlogPosition;
  try {
    start = parseBinlogPosition(from);
  } catch {
    return null;
  }
  // A position past the binlog's end: the binlog was reset (RESET MASTER) since.
  if (!to || compareBinlogPositions(start, to) > 0) return null;
  const maxKeys = binlogKeyLimit(source, o);
  const read = await readBinlogChanges({ connector: o.pipeline.source, schema: o.pipeline.sourceSchema, tables: source.tables, foreignKeys: source.foreignKeys, resume: from, to, maxKeys });
  if (!read.ok || read.log.rows > maxKeys) return null;
  const metas = new Map(source.tables.map((m) => [m.name, m]));
  const cascades = await deriveCascades(admin, internalSchemaOf(o.pipeline.reportSchema), metas, source.foreignKeys, read.log.keys, { snap, schema: o.pipeline.sourceSchema }, shadowName);
  const keys = new Map<string, KeySet>();
  for (const from of [read.log.keys, cascades.derived]) for (const [t, set] of from) for (const [k, v] of set) addKey(keys, t, k, v.removed);
  for (const w of read.whole) addKey(keys, w.table, WHOLE_TABLE, false);
  for (const t of cascades.whole) addKey(keys, t, WHOLE_TABLE, false);
  return keys;
}

/** Above this many changed keys in the binlog a full sync is cheaper (change-log.ts changeLimit). */
export function binlogKeyLimit(source: SourceFacts, o: IncrementalOptions): number {
  return changeLimit(source.tables.reduce((a, m) => a + m.estimatedRows, 0), o.maxChangeShare ?? 0.2);
}
