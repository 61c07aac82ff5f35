/**
 * `dualpipe backup`: dumps the MyISAM mirrors of the last successful sync under the sync lock,
 * the mirrors read-locked (analysts still read, nothing writes), so every table of a backup comes
 * from the same sync. Chunks dump in parallel, then the archive (dump-archive.ts); the manifest last.
 */
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { SqlConnection } from '../../src/db/connection.js';
import { readServerInfo } from '../../src/db/server-info.js';
import { DualpipeError, StepError, UsageError } from '../../src/errors.js';
import { acquireRunLock, lockName } from '../../src/lock/run-lock.js';
import { holderInHistory } from '../../src/history/lock-holder.js';
import { type Logger, silentLogger } from '../../src/log/logger.js';
import { lastSucceededSync } from '../../src/history/run-history.js';
import { recordRun, type RecordedRun } from '../../src/history/record-run.js';
import type { SourceState } from '../../src/catalog/source-state.js';
import type { BackupKey } from '../format/backup-key.js';
import type { ChunkResult } from './dump-table.js';
import { type BackupCopy, copyBackup } from './copy-backup.js';
import { atTarget, backupDirName, createFreshFolder, prepareTarget, targetErrorOf } from './backup-target.js';
import { buildManifest } from './build-manifest.js';
import { keyColumnsOf } from '../format/chunk-key-index.js';
import { checksumTables } from './checksum-tables.js';
import { createDumpPool, type DumpPool } from './dump-pool.js';
import type { Manifest } from '../format/manifest.js';
import { type BackupPlan, planBackup, type SyncDetails } from './plan-backup.js';
import { lockAndReadTables } from './lock-backup-tables.js';
import { writeManifest } from '../format/write-manifest.js';
import type { Pipeline } from '../../src/pipeline.js';
import { notePhase } from '../../src/guard/run-watch.js';
import type { ThrottleLimits } from '../../src/guard/throttle-limits.js';
import { createThrottle, type Throttle } from '../../src/guard/throttle.js';
import { ThrottleError } from '../../src/guard/throttle-error.js';
import { type Compression, requireCompression, type ZstdProbe } from '../format/chunk-compression.js';
import { readReportLedger, writeLedgerFile } from './dump-ledger.js';
import { archiveTotals, dumpArchive, lockArchive } from './dump-archive.js';

/** Options of `runBackup`. */
export interface BackupOptions {
  /** The backup is dumped from the pipeline's report side (its MyISAM mirrors). */
  pipeline: Pipeline;
  /** Parent folder: the backup goes into a new `dualpipe-<timestamp>` folder inside it. */
  to: string;
  threads?: number;
  compress?: Compression;
  /** What the runtime offers for zstd (tests take it away); the real one by default. */
  zstdProbe?: ZstdProbe;
  includeReports?: boolean;
  /** Encrypts every chunk and the manifest's table list (AES-256-GCM). */
  key?: BackupKey;
  /** Other folders that each get a verified copy of the finished backup. */
  copyTo?: readonly string[];
  /**
   * Create `to` and the `copyTo` folders when missing. Defaults to true for library callers; the
   * CLI passes false unless `--create-dirs` is given, so a missing mount is refused, not filled.
   */
  createDirs?: boolean;
  chunkRows?: number;
  waitForLockSeconds?: number;
  /** Throttling (README "Throttling"): the report server's load, checked before each table's dump. */
  throttle?: ThrottleLimits;
  logger?: Logger;
  clock?: () => Date;
  onProgress?: (event: { item: string; done: number; total: number; unit: string }) => void;
}

/** The backup written: its folder, manifest and verified copies. */
export interface BackupResult {
  dir: string;
  manifest: Manifest;
  seconds: number;
  /** Verified second copies (`copyTo`). */
  copies: BackupCopy[];
}

/** Dumps the mirrors, then writes the verified copies of `copyTo` (after the locks are released). */
export async function runBackup(o: BackupOptions): Promise<BackupResult> {
  for (const place of o.copyTo ?? []) {
    if (resolve(place) === resolve(o.to)) {
      throw new UsageError(`--copy-to ${place} is the folder the backup is written to`, { hint: 'name another disk or mount for the second copy' });
    }
  }
  // Before anything is written (the run history included): --compress zstd without a zstd is a usage error.
  requireCompression(o.compress ?? 'gzip', 'write', o.zstdProbe);
  const clock = o.clock ? { clock: o.clock } : {};
  const create = { create: o.createDirs ?? true };
  // Every backup and every copy is a run in the history, failures included (a missing mount too):
  // `status` must not keep showing the last good backup when the newer ones fail. Every folder is
  // checked before the lock is taken: a wrong one fails at once, in one line.
  const done = await recordRun(
    o.pipeline,
    { kind: 'backup', ...clock },
    async (run) => {
      await prepareTarget(o.to, '--to', create);
      for (const place of o.copyTo ?? []) await prepareTarget(place, '--copy-to', create);
      return dumpBackup(o, run);
    },
    (d) => ({ details: d.details }),
  );
  const copies: BackupCopy[] = [];
  for (const place of o.copyTo ?? []) {
    const copy = await recordRun(
      o.pipeline,
      { kind: 'copy', ...clock },
      () =>
        copyBackup(done.dir, done.manifest, place, o.threads ? { threads: o.threads } : {}).catch((error: unknown) => {
          throw targetErrorOf(`--copy-to ${place}`, error, `copying the backup ${done.dir}`) ?? error;
        }),
      (c) => ({ details: { from: done.dir, dir: c.dir } }),
    );
    copies.push(copy);
    (o.logger ?? silentLogger).info({ copy: copy.dir }, 'backup copy written and verified');
  }
  return { dir: done.dir, manifest: done.manifest, seconds: done.seconds, copies };
}

/** The sync a backup is of: the last successful one, which left mirrors and recorded its source state; and the erasure ledger. */
async function readLastSync(session: SqlConnection, reportSchema: string) {
  const sync = await lastSucceededSync(session, reportSchema);
  if (!sync || !sync.sourceState) {
    throw new DualpipeError(`no successful sync in ${reportSchema}: there are no mirrors to back up`, { hint: 'run `dualpipe sync` first' });
  }
  return { id: sync.id, finishedAt: String(sync.finishedAt), details: sync.details as SyncDetails, state: sync.sourceState as SourceState, ledger: await readReportLedger(session, reportSchema) };
}

/**
 * Dumps every table of the plan on the pool's sessions, reporting rows and bytes as chunks are
 * written. When one table fails the others are stopped, and all have settled before this returns:
 * a dump left running held a session (and the process) open after the error.
 */
async function dumpTables(pool: DumpPool, plan: BackupPlan, dir: string, o: BackupOptions, log: Logger, throttle: Throttle): Promise<ChunkResult[][]> {
  let doneBytes = 0;
  let doneRows = 0;
  const stop = new AbortController();
  let first: Error | undefined;
  const keys = keyColumnsOf(plan.tables);
  const zstd = requireCompression(plan.compression, 'write', o.zstdProbe);
  const settled = await Promise.allSettled(
    plan.tables.map(async (p) => {
      try {
        notePhase(`dumping ${p.name}`);
        return await pool.dump(
          { sql: p.sql, hex: p.columns.map((c) => c.hex), dir, tableIndex: p.tableIndex, chunkRows: plan.chunkRows, compression: plan.compression, ...(zstd ? { zstd } : {}), signal: stop.signal, pace: () => throttle.check(stop.signal), ...(o.key ? { key: o.key.key } : {}), keyFields: (keys.get(p.name) ?? []).map((c) => p.columns.findIndex((x) => x.name === c)) },
          (r) => {
            doneRows += r.rows;
            o.onProgress?.({ item: 'rows', done: doneRows, total: plan.totals.rows, unit: 'rows' });
            log.debug({ file: r.file, rows: r.rows }, `chunk ${r.file} of ${p.name} written`);
          },
          (n) => {
            doneBytes += n;
            o.onProgress?.({ item: 'bytes', done: doneBytes, total: plan.totals.estimatedBytes, unit: 'bytes' });
          },
        );
      } catch (error) {
        first ??= error instanceof ThrottleError ? error : (targetErrorOf(o.to, error, `writing the backup ${dir}`) ?? new StepError('dumping the table', p.name, { cause: error }));
        stop.abort();
        throw error;
      }
    }),
  );
  if (first !== undefined) throw first;
  log.debug({ bytes: doneBytes }, 'all chunks written');
  return settled.map((r) => (r as PromiseFulfilledResult<ChunkResult[]>).value);
}

/** Holds the sync lock, plans the backup from the last sync, dumps it and writes the manifest last. */
async function dumpBackup(o: BackupOptions, run: RecordedRun): Promise<Omit<BackupResult, 'copies'> & { details: object }> {
  const log = o.logger ?? silentLogger;
  const clock = o.clock ?? (() => new Date());
  const started = clock();
  const threads = Math.max(1, o.threads ?? 2);
  // Worker threads boot and connect while the lock is taken and the tables are planned.
  const archiveLock = await lockArchive(o.pipeline, o.pipeline.sourceSchema, o.waitForLockSeconds ?? 0);
  const pool = createDumpPool(o.pipeline.report, threads);
  let lock;
  try {
    // The sync lock: no sync may write the mirrors while they are dumped.
    lock = await acquireRunLock(o.pipeline.report, lockName('sync', o.pipeline.reportSchema), {
      waitSeconds: o.waitForLockSeconds ?? 0,
      describeHolder: holderInHistory(o.pipeline.reportSchema),
    });
    await run.holdsLock(lock);
  } catch (error) {
    await pool.close();
    await archiveLock?.release();
    throw error;
  }
  let made: string | undefined; // the unfinished backup folder: removed if the backup fails
  try {
    const session = lock.session;
    const sync = await readLastSync(session, o.pipeline.reportSchema);
    const inputs = await lockAndReadTables(session, o.pipeline.reportSchema, o.includeReports === true, sync.details, sync.state);
    const plan = planBackup(o.pipeline.reportSchema, inputs, { sourceSchema: sync.state.schema, chunkRows: o.chunkRows ?? 100_000, compression: o.compress ?? 'gzip', recorded: sync.details.tables });
    const base = resolve(o.to, backupDirName(started));
    const dir = await atTarget(o.to, `creating the backup folder ${base}`, () => createFreshFolder(base, (d) => (made = d)));
    log.info({ dir, tables: plan.tables.length }, 'backup started');
    const checksums = checksumTables(o, plan, threads);
    let chunks: ChunkResult[][];
    // The report server's load counts: the dump reads from it.
    const throttle = createThrottle({ limits: o.throttle, connector: o.pipeline.report, server: 'report server', kind: 'backup', logger: log });
    try {
      chunks = await dumpTables(pool, plan, dir, o, log, throttle);
    } finally {
      await throttle.close();
      await pool.close();
    }
    const sums = await checksums;
    const archive = archiveLock && (await dumpArchive({ pipeline: o.pipeline, sourceSchema: o.pipeline.sourceSchema, dir, firstTableIndex: plan.tables.length, chunkRows: plan.chunkRows, compression: plan.compression, zstdProbe: o.zstdProbe, key: o.key?.key, threads, logger: log }, archiveLock));
    const finished = clock();
    const server = await readServerInfo(session);
    const erasureLedger = await atTarget(o.to, `writing the erasure ledger of ${dir}`, () => writeLedgerFile(dir, sync.ledger, plan.compression, o.key?.key));
    const manifest = { ...buildManifest({ plan, chunks, checksums: sums, state: sync.state, sync, serverVersion: server.version, started, finished, ...(o.key ? { keyId: o.key.id } : {}), keyColumns: keyColumnsOf(plan.tables) }), ...(archive ? { archive } : {}), ...(erasureLedger ? { erasureLedger } : {}) };
    await atTarget(o.to, `writing the manifest of ${dir}`, () => writeManifest(dir, manifest, o.key));
    made = undefined;
    log.info({ dir, rows: manifest.totals.rows, bytes: manifest.totals.bytes }, 'backup complete');
    const details = { dir, syncRunId: sync.id, totals: manifest.totals, ...(archive ? { archive: archiveTotals(archive) } : {}), compression: plan.compression, encrypted: Boolean(o.key), ...(o.throttle ? { throttle: throttle.stats() } : {}) };
    return { dir, manifest, seconds: manifest.totals.seconds, details };
  } catch (error) {
    // A backup that failed is removed, so it neither fills the disk for the next attempt nor
    // looks like one; if that fails too it has no manifest, and `backup prune` removes it later.
    if (made) {
      await rm(made, { recursive: true, force: true }).catch((e: unknown) => log.warn({ dir: made, err: String(e) }, 'could not remove the failed backup: it stays, without a manifest'));
    }
    throw error;
  } finally {
    await pool.close();
    await lock.session.execute('UNLOCK TABLES').catch(() => {});
    await lock.release().catch(() => {});
    await archiveLock?.release().catch(() => {});
  }
}
