/**
 * `verify`: compares each source table with its mirror by chunk checksums computed on the
 * servers (no row goes through Node). The source side is read from one consistent snapshot;
 * the sync lock is held so no sync swaps mirrors mid-check.
 */
import type { SqlConnection, SqlConnector } from '../src/db/connection.js';
import { acquireRunLock, lockName } from '../src/lock/run-lock.js';
import { type Logger, silentLogger } from '../src/log/logger.js';
import { checksumChunks, schemeForTable } from './checksum-chunks.js';
import { diffChunks } from './chunk-sql.js';
import { listReportTables } from './cleanup-leftovers.js';
import { discoverTables } from './discover-tables.js';
import { ensureHistoryTable, finishRun, startRun } from './run-history.js';
import { openSnapshot, prepareSession } from './snapshot.js';

export interface VerifyTableResult {
  table: string;
  sourceRows: number;
  mirrorRows: number;
  chunksChecked: number;
  chunksDiffering: number;
  /** Numbers of the differing chunks (first 20), for the incremental sync and for humans. */
  differingChunks: string[];
  missingMirror: boolean;
}

export interface VerifyResult {
  ok: boolean;
  tables: VerifyTableResult[];
  seconds: number;
}

export interface VerifyOptions {
  source: SqlConnector;
  report: SqlConnector;
  sourceSchema: string;
  reportSchema: string;
  include?: readonly string[];
  exclude?: readonly string[];
  chunkRows?: number;
  waitForLockSeconds?: number;
  logger?: Logger;
  clock?: () => Date;
}

export async function verifyMirrors(o: VerifyOptions): Promise<VerifyResult> {
  const log = o.logger ?? silentLogger;
  const clock = o.clock ?? (() => new Date());
  const started = clock();
  const lock = await acquireRunLock(o.report, lockName('sync', o.reportSchema), {
    waitSeconds: o.waitForLockSeconds ?? 30,
  });
  let snap: SqlConnection | undefined;
  const mirror = await o.report.connect({ database: null });
  try {
    await prepareSession(mirror);
    snap = await openSnapshot(o.source);
    const metas = (
      await discoverTables(snap, o.sourceSchema, {
        ...(o.include ? { include: o.include } : {}),
        ...(o.exclude ? { exclude: o.exclude } : {}),
      })
    ).filter((t) => !t.name.startsWith('__dp_'));
    const present = new Set(await listReportTables(mirror, o.reportSchema));
    const tables: VerifyTableResult[] = [];
    for (const meta of metas) {
      const scheme = await schemeForTable(snap, o.sourceSchema, meta, o.chunkRows ?? 20_000);
      const srcP = checksumChunks(snap, o.sourceSchema, meta.name, meta, scheme);
      const mirP = present.has(meta.name)
        ? checksumChunks(mirror, o.reportSchema, meta.name, meta, scheme)
        : Promise.resolve(new Map());
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
      if (r.chunksDiffering > 0 || r.missingMirror) log.warn({ ...r }, `drift in ${meta.name}`);
      tables.push(r);
    }
    const finished = clock();
    const result: VerifyResult = {
      ok: tables.every((t) => t.chunksDiffering === 0 && !t.missingMirror),
      tables,
      seconds: (finished.getTime() - started.getTime()) / 1000,
    };
    await ensureHistoryTable(mirror, o.reportSchema);
    const id = await startRun(mirror, o.reportSchema, { kind: 'verify', startedAt: started });
    await finishRun(mirror, o.reportSchema, id, {
      status: result.ok ? 'succeeded' : 'failed',
      finishedAt: finished,
      details: result,
      ...(result.ok ? {} : { error: 'drift found' }),
    });
    return result;
  } finally {
    if (snap) await snap.close();
    await mirror.close();
    await lock.release().catch(() => {});
  }
}
