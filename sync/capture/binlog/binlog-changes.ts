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
  idleTimeoutMs?: number;
}): Promise<BinlogChanges> {
  const keyed = o.tables.filter((m) => m.primaryKey.length > 0);
  const result = await readChangedKeys({
    connector: o.connector,
    schema: o.schema,
    from: parseBinlogPosition(o.resume),
    to: o.to,
    tables: keyed.map((m) => m.name),
    ...(o.idleTimeoutMs !== undefined ? { idleTimeoutMs: o.idleTimeoutMs } : {}),
  });
  if (!result.ok) return { ok: false, reason: `binlog capture: ${result.reason.detail}` };
  const byName = new Map(keyed.map((m) => [m.name, m]));
  // A key of a table other tables' cascades start from may have lost children: looked up (derive-cascades.ts).
  const parents = new Set(o.foreignKeys.filter(changesChildren).map((fk) => fk.parent));
  const keys = new Map<string, KeySet>();
  const whole = new Map<string, string>();
  for (const t of result.reload) whole.set(t, 'emptied by TRUNCATE (seen in the binlog)');
  let rows = 0;
  for (const [table, { keys: tuples }] of result.tables) {
    const meta = byName.get(table);
    if (!meta || whole.has(table)) continue;
    const unmapped = unmappedKeyReason(meta);
    if (unmapped) {
      whole.set(table, unmapped);
      continue;
    }
    for (const tuple of tuples) {
      const text = keyTextOf(meta, tuple);
      if (text === null) {
        whole.set(table, `a key of ${table} was not decoded as its type`);
        keys.delete(table);
        break;
      }
      addKey(keys, table, text, parents.has(table));
      rows++;
    }
  }
  return { ok: true, log: { keys, ranges: [], rows }, whole: [...whole].map(([table, why]) => ({ table, why })) };
}
