/**
 * Reads and consumes the change log (capture-sql.ts). Reading happens in the sync's snapshot, so
 * it returns exactly the changes committed by then; consuming deletes exactly those sequence
 * numbers, never "everything up to N": a transaction that took its numbers before the snapshot
 * and committed after it keeps its rows for the next run.
 */
import type { SqlConnection, SqlConnector } from '../../src/db/connection.js';
import { withSession } from '../../src/db/with-session.js';
import type { Logger } from '../../src/log/logger.js';
import { qualify } from '../../src/db/quote.js';
import { ChangeLogKeyError } from '../../src/errors.js';
import { CHANGE_LOG_TABLE } from './capture-sql.js';

/**
 * Changed primary keys of one table: canonical JSON text of the key → whether the key may have
 * lost child rows to a cascade (logged 'D', or 'I': see derive-cascades.ts).
 */
export type KeySet = Map<string, { removed: boolean }>;

/**
 * The changes one sync read from the log: the keys per table, and which log rows to delete once the
 * run is published.
 */
export interface ChangeBatch {
  /** Per table. */
  keys: Map<string, KeySet>;
  /** Consumed sequence numbers as inclusive ranges, for the delete after the run. */
  ranges: [bigint, bigint][];
  /** Log rows read (a key changed twice counts twice). */
  rows: number;
}

/**
 * Normalises a key printed by any server's JSON_ARRAY into one text per key. Only the change log
 * can hold another shape (its rows can be written by hand); `table` names the key's table.
 */
export function canonicalKey(json: string, table = 'a table'): string {
  let parts: unknown;
  try {
    parts = JSON.parse(json);
  } catch {
    parts = undefined;
  }
  if (!Array.isArray(parts) || parts.some((p) => typeof p !== 'string' && p !== null)) {
    throw new ChangeLogKeyError(table, `malformed key ${json.slice(0, 80)}`);
  }
  return JSON.stringify(parts);
}

/**
 * Adds `key` to the set of `table`; once marked removed, a key stays so. True when the set changed:
 * a new key, or a key now marked removed.
 */
export function addKey(keys: Map<string, KeySet>, table: string, key: string, removed: boolean): boolean {
  let set = keys.get(table);
  if (!set) {
    set = new Map();
    keys.set(table, set);
  }
  const had = set.get(key);
  if (!had) {
    set.set(key, { removed });
    return true;
  }
  if (removed && !had.removed) {
    had.removed = true;
    return true;
  }
  return false;
}

/** Turns ascending sequence numbers into inclusive runs. Pure. */
export function toRanges(seqs: Iterable<bigint>): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  for (const s of seqs) {
    const last = out[out.length - 1];
    if (last && s === last[1] + 1n) last[1] = s;
    else out.push([s, s]);
  }
  return out;
}

/** Reads every log row visible to `snap`. */
export async function readChanges(snap: SqlConnection, schema: string): Promise<ChangeBatch> {
  const keys = new Map<string, KeySet>();
  const seqs: bigint[] = [];
  for await (const row of snap.stream(`SELECT seq, tbl, op, pk FROM ${qualify(schema, CHANGE_LOG_TABLE)} ORDER BY seq`)) {
    const [seq, tbl, op, pk] = row as [string | number, string, string, string];
    seqs.push(BigInt(seq));
    addKey(keys, tbl, canonicalKey(String(pk), tbl), op === 'D' || op === 'I');
  }
  return { keys, ranges: toRanges(seqs), rows: seqs.length };
}

/** How many log rows `snap` sees, before reading them. */
export async function countChanges(snap: SqlConnection, schema: string): Promise<number> {
  const r = await snap.query<{ n: string | number }>(`SELECT COUNT(*) AS n FROM ${qualify(schema, CHANGE_LOG_TABLE)}`);
  return Number(r[0]?.n ?? 0);
}

/**
 * Deletes the consumed rows by exact sequence numbers: point look-ups on the primary key lock
 * those rows only. A range delete would also lock the next row, which may belong to a writer's
 * open transaction, and wait for it.
 */
export async function consumeChanges(conn: SqlConnection, schema: string, ranges: readonly [bigint, bigint][]): Promise<void> {
  await conn.execute('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
  let batch: bigint[] = [];
  const flush = async () => {
    if (!batch.length) return;
    await conn.execute(`DELETE FROM ${qualify(schema, CHANGE_LOG_TABLE)} WHERE seq IN (${batch.join(', ')})`);
    batch = [];
  };
  for (const [a, b] of ranges) {
    for (let s = a; s <= b; s++) {
      batch.push(s);
      if (batch.length >= 1000) await flush();
    }
  }
  await flush();
}

/** Only the sequence numbers `snap` sees (a full sync consumes them without reading the keys). */
export async function readChangeRanges(snap: SqlConnection, schema: string): Promise<[bigint, bigint][]> {
  const seqs: bigint[] = [];
  for await (const row of snap.stream(`SELECT seq FROM ${qualify(schema, CHANGE_LOG_TABLE)} ORDER BY seq`)) seqs.push(BigInt(String(row[0])));
  return toRanges(seqs);
}

/**
 * Consumes after a published run. A failure (no DELETE privilege, a lost connection) becomes a
 * note: the rows left in the log are only applied again, harmlessly, by the next run.
 */
export async function consumeOrNote(
  source: SqlConnector,
  schema: string,
  ranges: readonly [bigint, bigint][],
  notes: string[],
  log: Logger,
): Promise<void> {
  if (!ranges.length) return;
  try {
    await withSession(source, (c) => consumeChanges(c, schema, ranges));
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    notes.push(`the change log could not be trimmed (${text}): grant the sync account DELETE on ${schema}.${CHANGE_LOG_TABLE}`);
    log.warn({ error: text }, 'could not delete the consumed change-log rows');
  }
}

/** Above this many changed keys a full sync is cheaper: `share` of the source's rows, at least 10,000. Pure. */
export function changeLimit(sourceRows: number, share: number): number {
  return Math.max(10_000, Math.floor(sourceRows * share));
}
