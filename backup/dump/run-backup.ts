/**
 * `dualpipe backup`: dumps the MyISAM mirrors of the last successful sync. The sync lock is held
 * for the whole dump and the mirrors are read-locked (analysts still read, nothing writes), so
 * every table of a backup comes from the same sync. Chunks dump in parallel; the manifest is
 * written last.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pLimit from 'p-limit';
import { qualify } from '../../src/db/quote.js';
import { readServerInfo } from '../../src/db/server-info.js';
import { DualpipeError, StepError, UsageError } from '../../src/errors.js';
import { acquireRunLock, lockName } from '../../src/lock/run-lock.js';
import { type Logger, silentLogger } from '../../src/log/logger.js';
import { VERSION } from '../../src/version.js';
import { discoverTables } from '../../src/catalog/discover-tables.js';
import { ensureHistoryTable, finishRun, lastSucceededSync, startRun } from '../../src/history/run-history.js';
import type { SourceState } from '../../src/catalog/source-state.js';
import type { BackupKey } from '../format/backup-key.js';
import { contentChecksum, isCurrentChecksum } from '../../src/rows/content-checksum.js';
import type { ChunkResult } from './dump-table.js';
import { type BackupCopy, copyBackup } from './copy-backup.js';
import { createDumpPool } from './dump-pool.js';
import { checkRestorable, MANIFEST_FORMAT, type Manifest, type ManifestTable } from '../format/manifest.js';
import { type BackupTableInput, planBackup } from './plan-backup.js';
import { writeManifest } from '../format/write-manifest.js';
import type { Pipeline } from '../../src/pipeline.js';

/** Options of `runBackup`. */
export interface BackupOptions {
  /** The backup is dumped from the pipeline's report side (its MyISAM mirrors). */
  pipeline: Pipeline;
  /** Parent folder: the backup goes into a new `dualpipe-<timestamp>` folder inside it. */
  to: string;
  threads?: number;
  compress?: 'gzip' | 'none';
  includeReports?: boolean;
  /** Encrypts every chunk and the manifest's table list (AES-256-GCM). */
  key?: BackupKey;
  /** Other folders that each get a verified copy of the finished backup. */
  copyTo?: readonly string[];
  chunkRows?: number;
  waitForLockSeconds?: number;
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

interface SyncDetails {
  tables: { table: string; rows: number; checksum?: string }[];
  reports: { name: string }[];
}

function backupDirName(now: Date): string {
  return `dualpipe-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
}

/** Records the backup in the run history (on its own session: the lock session holds table locks). */
async function recordBackup(o: BackupOptions, started: Date, finished: Date, details: object): Promise<void> {
  const conn = await o.pipeline.report.connect({ database: null });
  try {
    await ensureHistoryTable(conn, o.pipeline.reportSchema);
    const id = await startRun(conn, o.pipeline.reportSchema, { kind: 'backup', startedAt: started });
    await finishRun(conn, o.pipeline.reportSchema, id, { status: 'succeeded', finishedAt: finished, details });
  } finally {
    await conn.close();
  }
}

/** Dumps the mirrors, then writes the verified copies of `copyTo` (after the locks are released). */
export async function runBackup(o: BackupOptions): Promise<BackupResult> {
  for (const place of o.copyTo ?? []) {
    if (resolve(place) === resolve(o.to)) {
      throw new UsageError(`--copy-to ${place} is the folder the backup is written to`, { hint: 'name another disk or mount for the second copy' });
    }
  }
  const done = await dumpBackup(o);
  const copies: BackupCopy[] = [];
  for (const place of o.copyTo ?? []) {
    copies.push(await copyBackup(done.dir, done.manifest, place, o.threads ? { threads: o.threads } : {}));
    (o.logger ?? silentLogger).info({ copy: copies[copies.length - 1]!.dir }, 'backup copy written and verified');
  }
  return { ...done, copies };
}

async function dumpBackup(o: BackupOptions): Promise<Omit<BackupResult, 'copies'>> {
  const log = o.logger ?? silentLogger;
  const clock = o.clock ?? (() => new Date());
  const started = clock();
  const compression = o.compress ?? 'gzip';
  const threads = Math.max(1, o.threads ?? 2);
  // Worker threads boot and connect while the lock is taken and the tables are planned.
  const pool = createDumpPool(o.pipeline.report, threads);
  let lock;
  try {
    // The sync lock: no sync may write the mirrors while they are dumped.
    lock = await acquireRunLock(o.pipeline.report, lockName('sync', o.pipeline.reportSchema), { waitSeconds: o.waitForLockSeconds ?? 0 });
  } catch (error) {
    await pool.close();
    throw error;
  }
  try {
    const session = lock.session;
    const sync = await lastSucceededSync(session, o.pipeline.reportSchema);
    if (!sync || !sync.sourceState) {
      throw new DualpipeError(`no successful sync in ${o.pipeline.reportSchema}: there are no mirrors to back up`, {
        hint: 'run `dualpipe sync` first',
      });
    }
    const details = sync.details as SyncDetails;
    const state = sync.sourceState as SourceState;
    const wanted = new Map<string, 'mirror' | 'report'>(details.tables.map((t) => [t.table, 'mirror']));
    if (o.includeReports) for (const r of details.reports) wanted.set(r.name, 'report');
    const metas = (await discoverTables(session, o.pipeline.reportSchema, { engine: 'MyISAM' })).filter((m) => wanted.has(m.name));
    const missing = [...wanted.keys()].filter((n) => !metas.some((m) => m.name === n));
    if (missing.length) {
      throw new DualpipeError(`mirror table(s) missing from ${o.pipeline.reportSchema}: ${missing.join(', ')}`, {
        hint: 'run `dualpipe sync` to rebuild the mirrors, or `dualpipe check`',
      });
    }
    // Read locks: analysts keep reading, nothing (not even a stray writer) changes a mirror mid-dump.
    await session.execute(`LOCK TABLES ${metas.map((m) => `${qualify(o.pipeline.reportSchema, m.name)} READ`).join(', ')}`);
    const inputs: BackupTableInput[] = [];
    for (const meta of metas) {
      const kind = wanted.get(meta.name)!;
      const ddl =
        kind === 'mirror'
          ? state.ddl[meta.name]
          : (await session.query<Record<string, string>>(`SHOW CREATE TABLE ${qualify(o.pipeline.reportSchema, meta.name)}`))[0]?.[
              'Create Table'
            ];
      if (!ddl) throw new DualpipeError(`no DDL recorded for ${meta.name}`, { hint: 'run `dualpipe sync` again' });
      // MyISAM keeps an exact row count, so COUNT(*) costs nothing here.
      const count = await session.query<{ n: string | number }>(`SELECT COUNT(*) AS n FROM ${qualify(o.pipeline.reportSchema, meta.name)}`);
      inputs.push({ meta, kind, ddl, rows: Number(count[0]?.n ?? 0) });
    }
    const chunkRows = o.chunkRows ?? 100_000;
    const plans = planBackup(o.pipeline.reportSchema, inputs, { chunkRows });
    // Refused now what a restore would refuse later: never exit 0 on a backup that cannot be restored.
    checkRestorable(state.schema, o.pipeline.reportSchema, plans, compression);

    const dir = resolve(o.to, backupDirName(started));
    await mkdir(join(dir, 'chunks'), { recursive: true, mode: 0o700 });
    log.info({ dir, tables: plans.length }, 'backup started');
    // Content checksums: a full sync recorded them for every mirror (its chunk sums of the snapshot);
    // only tables without one (a streamed sync, report tables) are scanned, alongside the dumps.
    const recorded = new Map(details.tables.filter((t) => t.checksum).map((t) => [t.table, t]));
    const checksumLimit = pLimit(threads);
    const checksumsP = Promise.all(
      inputs.map((t) =>
        checksumLimit(async () => {
          const rec = recorded.get(t.meta.name);
          // A sync by an older dualpipe recorded the older checksum: scan again for the current one.
          if (rec && rec.rows === t.rows && isCurrentChecksum(rec.checksum)) return [t.meta.name, { rows: rec.rows, checksum: rec.checksum! }] as const;
          const conn = await o.pipeline.report.connect({ database: null });
          try {
            return [t.meta.name, await contentChecksum(conn, o.pipeline.reportSchema, t.meta.name, t.meta)] as const;
          } finally {
            await conn.close();
          }
        }),
      ),
    );
    checksumsP.catch(() => {});
    let doneBytes = 0;
    let doneRows = 0;
    const totalRows = inputs.reduce((a, t) => a + t.rows, 0);
    // MyISAM's data length is close to the size of the lines: the estimate behind the MB/s bar.
    const estimatedBytes = inputs.reduce((a, t) => a + t.meta.dataBytes, 0);
    let results: ChunkResult[][];
    try {
      results = await Promise.all(
        plans.map(async (p) => {
          try {
            return await pool.dump(
              { sql: p.sql, hex: p.columns.map((c) => c.hex), dir, tableIndex: p.tableIndex, chunkRows, gzip: compression === 'gzip', ...(o.key ? { key: o.key.key } : {}) },
              (r) => {
                doneRows += r.rows;
                o.onProgress?.({ item: 'rows', done: doneRows, total: totalRows, unit: 'rows' });
                log.debug({ file: r.file, rows: r.rows }, `chunk ${r.file} of ${p.name} written`);
              },
              (n) => {
                doneBytes += n;
                o.onProgress?.({ item: 'bytes', done: doneBytes, total: estimatedBytes, unit: 'bytes' });
              },
            );
          } catch (error) {
            throw new StepError('dumping the table', p.name, { cause: error });
          }
        }),
      );
    } finally {
      await pool.close();
    }
    const checksums = new Map(await checksumsP);
    log.debug({ bytes: doneBytes }, 'all chunks written');
    const tables: ManifestTable[] = plans.map((p, i) => {
      const sum = checksums.get(p.name)!;
      const chunks = results[i]!.map((r) => ({ file: r.file, rows: r.rows, bytes: r.bytes, sha256: r.sha256, rawBytes: r.rawBytes }));
      const dumped = chunks.reduce((a, c) => a + c.rows, 0);
      if (dumped !== sum.rows) {
        throw new StepError('backup', p.name, { detail: `dumped ${dumped} rows but the table holds ${sum.rows}` });
      }
      return { name: p.name, kind: p.kind, ddl: p.ddl, columns: p.columns, rows: dumped, checksum: sum.checksum, chunks };
    });
    const finished = clock();
    const server = await readServerInfo(session);
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      complete: true,
      createdAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      tool: { name: 'dualpipe', version: VERSION },
      server: { version: server.version },
      sourceSchema: state.schema,
      reportSchema: o.pipeline.reportSchema,
      sync: { runId: sync.id, finishedAt: String(sync.finishedAt) },
      binlog: state.binlog,
      ...(state.binlogNote ? { binlogNote: state.binlogNote } : {}),
      migrations: state.migrations,
      compression,
      tables,
      ...(o.key ? { encryption: { algorithm: 'aes-256-gcm' as const, keyId: o.key.id } } : {}),
      totals: {
        tables: tables.length,
        rows: tables.reduce((a, t) => a + t.rows, 0),
        bytes: tables.reduce((a, t) => a + t.chunks.reduce((b, c) => b + c.bytes, 0), 0),
        seconds: (finished.getTime() - started.getTime()) / 1000,
      },
    };
    await writeManifest(dir, manifest, o.key);
    log.info({ dir, rows: manifest.totals.rows, bytes: manifest.totals.bytes }, 'backup complete');
    await recordBackup(o, started, finished, { dir, syncRunId: sync.id, totals: manifest.totals, compression, encrypted: Boolean(o.key) });
    return { dir, manifest, seconds: manifest.totals.seconds };
  } finally {
    await pool.close();
    await lock.session.execute('UNLOCK TABLES').catch(() => {});
    await lock.release().catch(() => {});
  }
}
