/**
 * `verify`: compares each source table with its mirror by chunk checksums computed on the
 * servers (no row goes through Node). The source side is read from one consistent snapshot;
 * the sync lock is held so no sync swaps mirrors mid-check.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { acquireRunLock, lockName } from '../../src/lock/run-lock.js';
import { holderInHistory } from '../../src/history/lock-holder.js';
import { type Logger, silentLogger } from '../../src/log/logger.js';
import { checksumChunks, schemeForTable } from '../../src/rows/checksum-chunks.js';
import { type ChunkSum, diffChunks } from '../../src/rows/chunk-sql.js';
import { listReportTables } from '../../src/catalog/cleanup-leftovers.js';
import { discoverTables } from '../../src/catalog/discover-tables.js';
import { recordRun, type RecordedRun } from '../../src/history/record-run.js';
import { openSnapshot, prepareSession } from '../../src/db/sessions.js';
import { type TableMeta, writableColumns } from '../../src/catalog/table-meta.js';
import { findUnsupportedTables } from '../full/unsupported-tables.js';
import type { Pipeline } from '../../src/pipeline.js';
import type { ChunkScheme } from '../../src/catalog/table-meta.js';
import { readCapture } from '../capture/capture.js';
import { classifyAll } from './classify-drift.js';

/** The comparison of one source table with its mirror. */
export interface VerifyTableResult {
  table: string;
  sourceRows: number;
  mirrorRows: number;
  chunksChecked: number;
  chunksDiffering: number;
  /** Numbers of the differing chunks (first 20), for the incremental sync and for humans. */
  differingChunks: string[];
  missingMirror: boolean;
  /**
   * With change capture: differing keys the change log explains (changed in the source since the
   * last sync, or reached by a cascade from such a key); the next incremental sync applies them.
   */
  pendingKeys?: number;
  /** With change capture: differing keys nothing explains. Only these (or a problem) are drift. */
  driftKeys?: number;
  /** With change capture: up to `sampleSize` drifted keys, as JSON arrays of the key's parts. */
  driftSample?: string[];
  /**
   * Why the table could not be compared row by row: a source table the sync refuses (it has no
   * mirror), or a mirror whose columns differ from the source's (an ALTER since the last sync).
   */
  problem?: string;
}

/** The tables a verify found not equal to the source. */
export function driftedTables(result: Pick<VerifyResult, 'tables'>): string[] {
  return result.tables.filter((t) => (t.chunksDiffering > 0 && (t.driftKeys === undefined || t.driftKeys > 0)) || t.missingMirror || t.problem !== undefined).map((t) => t.table);
}

/** The columns a mirror must have, in order, with their types: the source's stored columns. */
function columnSignature(meta: TableMeta): string {
  return writableColumns(meta)
    .map((c) => `${c.name} ${c.columnType}${c.charset ? ` ${c.charset}` : ''}`)
    .join(', ');
}

/** The outcome of a verify: ok when every mirror equals its source table. */
export interface VerifyResult {
  ok: boolean;
  tables: VerifyTableResult[];
  seconds: number;
  /**
   * How differences were judged: `capture`, split into pending and drift by the change log;
   * `snapshot`, every difference is drift (no capture installed: right only while the source holds
   * still, a moving source shows its changes as drift); `sync`, inside the snapshot the sync
   * itself copied (`sync --verify`), where every difference is drift.
   */
  mode: 'capture' | 'snapshot' | 'sync';
  /** Differing keys the change log explains, all tables (capture mode). */
  pendingKeys: number;
  /** Differing keys nothing explains, all tables (capture mode). */
  driftKeys: number;
}

/** Options of `verifyMirrors`. */
export interface VerifyOptions {
  /** The source and report sides (see src/pipeline.ts). */
  pipeline: Pipeline;
  include?: readonly string[];
  exclude?: readonly string[];
  chunkRows?: number;
  /** Drifted keys named per table (default 10). */
  sampleSize?: number;
  waitForLockSeconds?: number;
  logger?: Logger;
  clock?: () => Date;
}

/**
 * Compares every source table with its mirror by chunk checksums; records the run in the history
 * (failed when drift is found or the run throws).
 */
export async function verifyMirrors(o: VerifyOptions): Promise<VerifyResult> {
  return recordRun(o.pipeline, { kind: 'verify', ...(o.clock ? { clock: o.clock } : {}) }, (run) => verifyUnderLock(o, run), (result) => ({
    status: result.ok ? 'succeeded' : 'failed',
    details: result,
    ...(result.ok ? {} : { error: 'drift found' }),
  }));
}

async function verifyUnderLock(o: VerifyOptions, run: RecordedRun): Promise<VerifyResult> {
  const clock = o.clock ?? (() => new Date());
  const started = clock();
  const lock = await acquireRunLock(o.pipeline.report, lockName('sync', o.pipeline.reportSchema), {
    waitSeconds: o.waitForLockSeconds ?? 30,
    describeHolder: holderInHistory(o.pipeline.reportSchema),
  });
  await run.holdsLock(lock);
  let snap: SqlConnection | undefined;
  const mirror = await o.pipeline.report.connect({ database: null });
  try {
    await prepareSession(mirror);
    snap = await openSnapshot(o.pipeline.source);
    return await compareWithSnapshot(o, snap, mirror, { classify: true, started });
  } finally {
    if (snap) await snap.close();
    await mirror.close();
    await lock.release().catch(() => {});
  }
}

/**
 * Compares every source table as `snap` sees it with its mirror (read through `mirror`). The
 * caller holds the sync lock. `classify`: with change capture installed, split differences into
 * pending and drift (a standalone verify); false inside a sync's own snapshot, where every
 * difference is drift (`sync --verify`).
 */
export async function compareWithSnapshot(
  o: VerifyOptions,
  snap: SqlConnection,
  mirror: SqlConnection,
  how: { classify: boolean; started: Date },
): Promise<VerifyResult> {
  const log = o.logger ?? silentLogger;
  const select = { ...(o.include ? { include: o.include } : {}), ...(o.exclude ? { exclude: o.exclude } : {}) };
  const metas = (await discoverTables(snap, o.pipeline.sourceSchema, select)).filter((t) => !t.name.startsWith('__dp_'));
  const present = new Set(await listReportTables(mirror, o.pipeline.reportSchema));
  const tables: VerifyTableResult[] = [];
  for (const u of await findUnsupportedTables(snap, o.pipeline.sourceSchema, select)) {
    const r = { table: u.table, sourceRows: 0, mirrorRows: 0, chunksChecked: 0, chunksDiffering: 0, differingChunks: [], missingMirror: true, problem: `not mirrored: ${u.reason}` };
    log.warn({ ...r }, `${u.table} is not mirrored`);
    tables.push(r);
  }
  const capture = { installed: how.classify && (await readCapture(snap, o.pipeline.sourceSchema, metas)).installed };
  const differing: { meta: TableMeta; scheme: ChunkScheme; chunks: bigint[]; result: VerifyTableResult }[] = [];
  const mirrorMetas = new Map((await discoverTables(mirror, o.pipeline.reportSchema, { engine: 'MyISAM' })).map((m) => [m.name, m]));
  for (const meta of metas) {
    const mirrorMeta = mirrorMetas.get(meta.name);
    if (present.has(meta.name) && mirrorMeta && columnSignature(mirrorMeta) !== columnSignature(meta)) {
      // An ALTER of the source since the last sync: the row checksums would name columns the
      // mirror lacks (or leave out ones it has), so the table is reported as drifted instead.
      const r = {
        table: meta.name, sourceRows: 0, mirrorRows: 0, chunksChecked: 0, chunksDiffering: 0, differingChunks: [], missingMirror: false,
        problem: `columns differ: source (${columnSignature(meta)}), mirror (${columnSignature(mirrorMeta)})`,
      };
      log.warn({ ...r }, `drift in ${meta.name}`);
      tables.push(r);
      continue;
    }
    const scheme = await schemeForTable(snap, o.pipeline.sourceSchema, meta, o.chunkRows ?? 20_000);
    const srcP = checksumChunks(snap, o.pipeline.sourceSchema, meta.name, meta, scheme);
    const mirP = present.has(meta.name)
      ? checksumChunks(mirror, o.pipeline.reportSchema, meta.name, meta, scheme)
      : Promise.resolve(new Map<string, ChunkSum>());
    const [src, mir] = await Promise.all([srcP, mirP]);
    const diff = diffChunks(src, mir);
    const sum = (m: Map<string, { rows: number }>) => [...m.values()].reduce((a, s) => a + s.rows, 0);
    const r: VerifyTableResult = {
      table: meta.name,
      sourceRows: sum(src),
      mirrorRows: sum(mir),
      chunksChecked: new Set([...src.keys(), ...mir.keys()]).size,
      chunksDiffering: diff.length,
      differingChunks: diff.slice(0, 20).map(String),
      missingMirror: !present.has(meta.name),
    };
    if (r.missingMirror) log.warn({ ...r }, `drift in ${meta.name}`);
    else if (r.chunksDiffering > 0 && !capture.installed) log.warn({ ...r }, `drift in ${meta.name}`);
    if (r.chunksDiffering > 0 && !r.missingMirror) differing.push({ meta, scheme, chunks: diff, result: r });
    tables.push(r);
  }
  let totals = { pending: 0, drift: 0 };
  if (capture.installed && differing.length) {
    totals = await classifyAll({ ...o, sampleSize: o.sampleSize ?? 10 }, snap, mirror, metas, differing, log);
  }
  const finished = (o.clock ?? (() => new Date()))();
  const result: VerifyResult = {
    ok: driftedTables({ tables }).length === 0,
    tables,
    seconds: (finished.getTime() - how.started.getTime()) / 1000,
    mode: capture.installed ? 'capture' : how.classify ? 'snapshot' : 'sync',
    pendingKeys: totals.pending,
    driftKeys: totals.drift,
  };
  return result;
}
