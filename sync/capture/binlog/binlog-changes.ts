/**
 * The change facts of an incremental run under binlog capture: the keys changed since the live
 * set's resume position (its generation marker), read up to a position taken after the run's
 * snapshot opened, in the shape the trigger log gives (change-log.ts), so planning and applying
 * are the same for both methods. The rows themselves are re-read from the snapshot.
 */
import type { SqlConnector } from '../../../src/db/connection.js';
import { changesChildren, type ForeignKey } from '../../../src/catalog/foreign-keys.js';
import type { TableMeta } from '../../../src/catalog/table-meta.js';
import { addKey, type ChangeBatch, type KeySet } from '../change-log.js';
import { readChangedKeys } from './binlog-key-reader.js';
import { keyTextOf, unmappedKeyReason } from './binlog-key-text.js';
import { type BinlogPosition, parseBinlogPosition } from './binlog-position.js';

/** What binlog capture found, or why the run must be a full sync. */
export type BinlogChanges =
  | {
      ok: true;
      log: ChangeBatch;
      /** Tables to copy whole, and why (TRUNCATE in the binlog, keys of an unmapped type). */
      whole: { table: string; why: string }[];
      /** With `heldBy`: where a reader may resume after the set built from that snapshot. */
      resume?: BinlogPosition;
    }
  | { ok: false; reason: string };

/** Reads the changes of `tables` between `resume` (the live generation's) and `to`. */
export async function readBinlogChanges(o: {
  connector: SqlConnector;
  schema: string;
  /** Mirrored tables; those without a primary key are the caller's to copy whole. */
  tables: readonly TableMeta[];
  foreignKeys: readonly ForeignKey[];
  /** The live generation's resume position (serialized). */
  resume: string;
  /** A position at or after the run's snapshot. */
  to: BinlogPosition;
  /** MySQL: the run's snapshot's GTID set, to find where the next run may resume (binlog-key-reader.ts). */
  heldBy?: string;
  /** More keys than this make the run a full sync: the reader stops there (binlog-key-reader.ts). */
  maxKeys?: number;
  idleTimeoutMs?: number;
}): Promise<BinlogChanges> {
  const keyed = o.tables.filter((m) => m.primaryKey.length > 0);
  // Non-key columns that other tables' foreign keys reference, per parent table.
  const acting = o.foreignKeys.filter(changesChildren);
  const referenced = new Map<string, string[]>();
  for (const m of keyed) {
    const cols = [...new Set(acting.filter((fk) => fk.parent === m.name).flatMap((fk) => fk.referenced))].filter((c) => !m.primaryKey.includes(c));
    if (cols.length) referenced.set(m.name, cols);
  }
  const result = await readChangedKeys({
    referenced,
    connector: o.connector,
    schema: o.schema,
    from: parseBinlogPosition(o.resume),
    to: o.to,
    tables: keyed.map((m) => m.name),
    ...(o.heldBy ? { heldBy: o.heldBy } : {}),
    ...(o.maxKeys !== undefined ? { maxKeys: o.maxKeys } : {}),
    ...(o.idleTimeoutMs !== undefined ? { idleTimeoutMs: o.idleTimeoutMs } : {}),
  });
  if (!result.ok) return { ok: false, reason: `binlog capture: ${result.reason.detail}` };
  const byName = new Map(keyed.map((m) => [m.name, m]));
  const keys = new Map<string, KeySet>();
  const whole = new Map<string, string>();
  for (const t of result.reload) whole.set(t, 'emptied by TRUNCATE (seen in the binlog)');
  let rows = 0;
  for (const [table, { keys: tuples, removed }] of result.tables) {
    const meta = byName.get(table);
    if (!meta || whole.has(table)) continue;
    const unmapped = unmappedKeyReason(meta);
    if (unmapped) {
      whole.set(table, unmapped);
      continue;
    }
    // A key that may have lost rows referencing it is marked removed: its children are looked up (derive-cascades.ts).
    const texts = [...tuples.map((t) => [keyTextOf(meta, t), false] as const), ...removed.map((t) => [keyTextOf(meta, t), true] as const)];
    if (texts.some(([text]) => text === null)) {
      whole.set(table, `a key of ${table} was not decoded as its type`);
      continue;
    }
    for (const [text, gone] of texts) addKey(keys, table, text!, gone);
    rows += tuples.length;
  }
  // Cascades start from keys: a table copied whole names none, so the rows its deletes and key
  // changes cascaded to (not in the binlog) are found by copying its children whole too.
  for (let grew = true; grew; ) {
    grew = false;
    for (const fk of acting) {
      if (whole.has(fk.parent) && !whole.has(fk.child) && byName.has(fk.child)) {
        whole.set(fk.child, `its parent ${fk.parent} is copied whole: the rows cascades changed are not in the binlog`);
        grew = true;
      }
    }
  }
  return { ok: true, log: { keys, ranges: [], rows }, whole: [...whole].map(([table, why]) => ({ table, why })), ...(result.resume ? { resume: result.resume } : {}) };
}
