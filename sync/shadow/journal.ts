/**
 * The key journal: which primary keys each incremental run changed, kept on the report server
 * (InnoDB) until the shadow copy of the tables has caught up with them. The shadow set is one
 * run behind the live set, so the next run re-applies the keys of the runs the shadow has not
 * seen, plus its own; re-applying a key is always safe (rows are fetched again from the current
 * snapshot), so including too many is only slower, never wrong. `*` stands for "the whole table".
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import { addKey, type KeySet } from '../capture/change-log.js';
import { isNoSuchTable } from '../../src/db/no-such-table.js';
import { internalSchemaOf } from '../../src/catalog/internal-schema.js';

/** The key journal's table, in the internal schema; the functions here take the REPORT schema. */
export const JOURNAL_TABLE = '_dualpipe_sync_keys';

const journalTable = (reportSchema: string) => qualify(internalSchemaOf(reportSchema), JOURNAL_TABLE);
/** The key that stands for a whole table: one copied whole has no list of keys. */
export const WHOLE_TABLE = '*';

/**
 * Creates the journal table when missing; keys compare as bytes (utf8mb4_bin), as the change log's
 * do.
 */
export async function ensureJournal(conn: SqlConnection, schema: string): Promise<void> {
  await conn.execute(`CREATE TABLE IF NOT EXISTS ${journalTable(schema)} (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    run_id BIGINT UNSIGNED NOT NULL,
    tbl VARCHAR(64) NOT NULL,
    pk TEXT NOT NULL,
    KEY run_tbl (run_id, tbl)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_bin`);
}

/** Keys of the runs after `after` up to and including `upTo`. */
export async function readJournal(conn: SqlConnection, schema: string, after: number, upTo: number): Promise<Map<string, KeySet>> {
  const keys = new Map<string, KeySet>();
  for await (const row of conn.stream(`SELECT tbl, pk FROM ${journalTable(schema)} WHERE run_id > ? AND run_id <= ?`, [after, upTo])) {
    const [tbl, pk] = row as [string, string];
    addKey(keys, tbl, pk, false);
  }
  return keys;
}

/**
 * Records the keys of run `runId`, 2000 rows per INSERT, and returns how many it wrote. The
 * `removed` marks are not kept: they only lead to cascaded child keys, which that run derived and
 * journals with its own.
 */
export async function writeJournal(conn: SqlConnection, schema: string, runId: number, keys: Map<string, KeySet>): Promise<number> {
  let n = 0;
  let batch: unknown[][] = [];
  const flush = async () => {
    if (!batch.length) return;
    await conn.execute(`INSERT INTO ${journalTable(schema)} (run_id, tbl, pk) VALUES ?`, [batch]);
    n += batch.length;
    batch = [];
  };
  for (const [tbl, set] of keys) {
    for (const key of set.keys()) {
      batch.push([runId, tbl, key]);
      if (batch.length >= 2000) await flush();
    }
  }
  await flush();
  return n;
}

/** Forgets the runs the shadow copy has seen (`upTo` and before); nothing to do without a journal. */
export async function purgeJournal(conn: SqlConnection, schema: string, upTo: number): Promise<void> {
  try {
    await conn.execute(`DELETE FROM ${journalTable(schema)} WHERE run_id <= ?`, [upTo]);
  } catch (error) {
    if (!isNoSuchTable(error)) throw error;
  }
}

/**
 * The keys of a run. `own`: what changed since the live set (log, cascades, tables copied whole),
 * journaled for the next run. `needWhole`: tables the shadow set must get whole, this run's and
 * those the journal says an earlier run copied whole. Pure.
 */
export function planRunKeys(o: {
  tables: ReadonlySet<string>;
  sources: readonly ReadonlyMap<string, KeySet>[];
  whole: ReadonlySet<string>;
  journal: ReadonlyMap<string, KeySet>;
}): { own: Map<string, KeySet>; needWhole: Set<string> } {
  const own = new Map<string, KeySet>();
  for (const source of o.sources) {
    for (const [t, set] of source) for (const [k, v] of set) if (o.tables.has(t)) addKey(own, t, k, v.removed);
  }
  for (const t of o.whole) addKey(own, t, WHOLE_TABLE, false);
  const needWhole = new Set([...o.whole, ...[...o.journal].filter(([, set]) => set.has(WHOLE_TABLE)).map(([t]) => t)]);
  return { own, needWhole };
}
