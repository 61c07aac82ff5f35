/**
 * With change capture installed, a differing row is not necessarily drift: the mirrors are the
 * snapshot of the last sync, the source has moved on since. This file narrows differing chunks
 * down to keys and splits them into pending (the change log names the key, or a cascade from a
 * logged key reaches it: the next incremental sync applies it) and drift (nothing explains the
 * difference: the mirror is not the snapshot it claims to be).
 *
 * Why the log is read after the source snapshot and needs no position: a sync consumes exactly
 * the log rows its snapshot saw (change-log.ts), so the log holds every change committed after
 * the last sync's snapshot, and verify holds the sync lock, so no sync consumes rows meanwhile.
 * Read after the snapshot, it therefore names every key changed between the mirrors' snapshot and
 * the verify's, and keys changed during the verify as well (pending too, harmlessly).
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import type { TableMeta } from '../../src/catalog/table-meta.js';
import { type ForeignKey, readForeignKeys } from '../../src/catalog/foreign-keys.js';
import { withSession } from '../../src/db/with-session.js';
import type { Logger } from '../../src/log/logger.js';
import type { Pipeline } from '../../src/pipeline.js';
import type { ChunkScheme } from '../../src/catalog/table-meta.js';
import { chunkCondition, rowHashExpression } from '../../src/rows/chunk-sql.js';
import { keyJsonSql } from '../capture/capture-sql.js';
import { canonicalKey, readChanges } from '../capture/change-log.js';
import { deriveCascades } from '../capture/derive-cascades.js';

/** The keys a verify may call pending: per table, and the tables whose every key is pending. */
export interface PendingKeys {
  keys: Map<string, Set<string>>;
  /** Tables the next incremental sync copies whole (an ON UPDATE cascade re-keys their key). */
  whole: Set<string>;
  /** Change-log rows read. */
  logRows: number;
}

/**
 * The pending keys: every key in the change log now (`fresh` is a session outside the verify's
 * snapshot, so it sees commits up to this moment), plus the child keys cascades from them reach
 * (cascades fire no triggers, so the log never names a cascade-deleted child: the same
 * derivation the incremental sync applies them by, derive-cascades.ts, on the live mirrors).
 */
export async function readPendingKeys(
  fresh: SqlConnection,
  snap: SqlConnection,
  mirror: SqlConnection,
  o: { sourceSchema: string; reportSchema: string; metas: readonly TableMeta[]; foreignKeys: readonly ForeignKey[] },
): Promise<PendingKeys> {
  const log = await readChanges(fresh, o.sourceSchema);
  const metas = new Map(o.metas.map((m) => [m.name, m]));
  const cascades = await deriveCascades(mirror, o.reportSchema, metas, o.foreignKeys, log.keys, { snap, schema: o.sourceSchema });
  const keys = new Map<string, Set<string>>();
  for (const source of [log.keys, cascades.derived]) {
    for (const [table, set] of source) {
      const into = keys.get(table) ?? new Set<string>();
      for (const k of set.keys()) into.add(k);
      keys.set(table, into);
    }
  }
  return { keys, whole: cascades.whole, logRows: log.rows };
}

/** The split of one table's differing keys. */
export interface KeySplit {
  pending: number;
  drift: number;
  /** Up to `sampleSize` drifted keys (canonical JSON arrays of the key's parts). */
  driftSample: string[];
}

/** Key → row digest of the rows of `chunks`, read through `conn` (the snapshot, or the mirror). */
async function keyDigests(conn: SqlConnection, schema: string, meta: TableMeta, scheme: ChunkScheme, chunks: readonly bigint[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const sql =
    `SELECT ${keyJsonSql(meta, '__dp_t')} AS k, ${rowHashExpression(meta, '__dp_t')} AS h ` +
    `FROM ${qualify(schema, meta.name)} AS __dp_t WHERE ${chunkCondition(scheme, meta, chunks)}`;
  for await (const row of conn.stream(sql)) {
    const [k, h] = row as [unknown, unknown];
    out.set(canonicalKey(String(k), meta.name), String(h));
  }
  return out;
}

/**
 * Narrows differing chunks down to keys and classifies them. One chunk at a time, so memory is
 * bounded by a chunk's rows plus the pending set (the change log, which a sync reads whole too).
 * A table without a primary key has no keys: it is pending as a whole when the log names it.
 */
export async function classifyDifferingKeys(
  snap: SqlConnection,
  mirror: SqlConnection,
  o: { sourceSchema: string; reportSchema: string; meta: TableMeta; scheme: ChunkScheme; chunks: readonly bigint[]; pending: PendingKeys; sampleSize: number },
): Promise<KeySplit> {
  const split: KeySplit = { pending: 0, drift: 0, driftSample: [] };
  const pendingHere = o.pending.keys.get(o.meta.name);
  if (o.meta.primaryKey.length === 0) {
    if (pendingHere?.size) split.pending = 1;
    else split.drift = 1;
    if (split.drift) split.driftSample.push('(whole table: it has no primary key)');
    return split;
  }
  const allPending = o.pending.whole.has(o.meta.name);
  for (const chunk of o.chunks) {
    const [src, mir] = await Promise.all([
      keyDigests(snap, o.sourceSchema, o.meta, o.scheme, [chunk]),
      keyDigests(mirror, o.reportSchema, o.meta, o.scheme, [chunk]),
    ]);
    const differing: string[] = [];
    for (const [k, h] of src) if (mir.get(k) !== h) differing.push(k);
    for (const k of mir.keys()) if (!src.has(k)) differing.push(k);
    // Checksums differ yet no key does (key texts the server collates as equal but prints
    // differently): nothing explains it, so it counts as drift rather than vanish.
    if (!differing.length) differing.push(`(chunk ${chunk}: checksums differ, no single key does)`);
    for (const k of differing) {
      if (allPending || pendingHere?.has(k)) split.pending++;
      else {
        split.drift++;
        if (split.driftSample.length < o.sampleSize) split.driftSample.push(k);
      }
    }
  }
  return split;
}

/**
 * Capture mode: reads the pending keys (after the snapshot: see classify-drift.ts) and splits the
 * differing keys of every differing table; logs pending as information and drift as a warning.
 */
export async function classifyAll(
  o: { pipeline: Pick<Pipeline, 'source' | 'sourceSchema' | 'reportSchema'>; sampleSize: number },
  snap: SqlConnection,
  mirror: SqlConnection,
  metas: readonly TableMeta[],
  differing: readonly { meta: TableMeta; scheme: ChunkScheme; chunks: bigint[]; result: { table: string; pendingKeys?: number; driftKeys?: number; driftSample?: string[] } }[],
  log: Logger,
): Promise<{ pending: number; drift: number }> {
  const { sourceSchema, reportSchema } = o.pipeline;
  const foreignKeys = await readForeignKeys(snap, sourceSchema);
  const pending = await withSession(o.pipeline.source, (fresh) => readPendingKeys(fresh, snap, mirror, { sourceSchema, reportSchema, metas, foreignKeys }));
  const totals = { pending: 0, drift: 0 };
  for (const d of differing) {
    const split = await classifyDifferingKeys(snap, mirror, {
      sourceSchema, reportSchema, meta: d.meta, scheme: d.scheme, chunks: d.chunks, pending, sampleSize: o.sampleSize,
    });
    Object.assign(d.result, { pendingKeys: split.pending, driftKeys: split.drift, driftSample: split.driftSample });
    totals.pending += split.pending;
    totals.drift += split.drift;
    const where = `${sourceSchema}.${d.meta.name}`;
    if (split.pending) {
      log.info({ table: d.meta.name, pendingKeys: split.pending }, `${split.pending} key(s) pending in ${where}: changed since the last sync; the next incremental sync applies them`);
    }
    if (split.drift) log.warn({ ...d.result }, `drift in ${d.meta.name}: ${split.drift} key(s) differ from the snapshot the mirror claims to be`);
  }
  return totals;
}
