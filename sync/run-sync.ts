/**
 * The sync executor: runs a plan from `plan.ts`. One consistent snapshot of the source defines
 * the point in time of the whole run; mirrors are built under temporary names, repaired to equal
 * the snapshot, reports are built from them, and one atomic RENAME publishes everything.
 */
import pLimit from 'p-limit';
import type { SqlConnection, SqlConnector } from '../src/db/connection.js';
import { qualify, quoteId } from '../src/db/quote.js';
import { AbortedError, StepError } from '../src/errors.js';
import { acquireRunLock, lockName } from '../src/lock/run-lock.js';
import { type Logger, silentLogger } from '../src/log/logger.js';
import { checksumChunks, readKeyRange } from './checksum-chunks.js';
import { chooseChunkScheme } from './chunk-sql.js';
import { cleanupLeftovers, listReportTables } from './cleanup-leftovers.js';
import { discoverTables } from './discover-tables.js';
import { describePlan, planSync, type SyncPlan, type SyncStrategy } from './plan.js';
import { publishTables } from './publish-tables.js';
import { loadReportDefinitions, type ReportDefinition } from './report-definitions.js';
import { ensureHistoryTable, finishRun, markAbandonedRuns, startRun } from './run-history.js';
import { openCopySession, openSnapshot, prepareSession } from './snapshot.js';
import { countRows, syncTableServerSide, syncTableStreamed, type TableSyncResult } from './sync-table.js';

export interface SyncOptions {
  source: SqlConnector;
  report: SqlConnector;
  sourceSchema: string;
  reportSchema: string;
  sameServer: boolean;
  strategy?: SyncStrategy;
  threads?: number;
  chunkRows?: number;
  include?: readonly string[];
  exclude?: readonly string[];
  lockWaitTimeoutMs?: number;
  /** Seconds to wait for another run's lock (0: exit 4 at once). */
  waitForLockSeconds?: number;
  dryRun?: boolean;
  reports?: readonly ReportDefinition[];
  logger?: Logger;
  clock?: () => Date;
  signal?: AbortSignal;
  onProgress?: (event: { item: string; done: number; total: number }) => void;
}

export interface SyncResult {
  runId: number | null;
  dryRun: boolean;
  strategy: SyncStrategy;
  mode: SyncPlan['mode'];
  startedAt: string;
  finishedAt: string;
  seconds: number;
  tables: TableSyncResult[];
  reports: { name: string; rows: number; seconds: number }[];
  skippedReports: { name: string; missing: string[] }[];
  cleanedUp: string[];
  notes: string[];
  /** The plan as SQL text (dry runs only). */
  planText?: string;
}

async function showCreate(conn: SqlConnection, schema: string, table: string): Promise<string> {
  const rows = await conn.query<Record<string, string>>(`SHOW CREATE TABLE ${qualify(schema, table)}`);
  return rows[0]?.['Create Table'] ?? '';
}

/** Builds the plan from the live source; used by both dry runs and real runs. */
async function buildPlan(conn: SqlConnection, admin: SqlConnection, o: SyncOptions): Promise<SyncPlan> {
  const metas = await discoverTables(conn, o.sourceSchema, {
    ...(o.include ? { include: o.include } : {}),
    ...(o.exclude ? { exclude: o.exclude } : {}),
  });
  const tables = [];
  for (const meta of metas)
    tables.push({ meta, showCreate: await showCreate(conn, o.sourceSchema, meta.name) });
  return planSync({
    sourceSchema: o.sourceSchema,
    reportSchema: o.reportSchema,
    strategy: o.strategy ?? 'swap',
    sameServer: o.sameServer,
    tables,
    reports: o.reports ?? loadReportDefinitions(),
    existingReportTables: await listReportTables(admin, o.reportSchema),
  });
}

/** Runs one full sync (or returns the plan with `dryRun`). */
export async function runSync(o: SyncOptions): Promise<SyncResult> {
  const log = o.logger ?? silentLogger;
  const clock = o.clock ?? (() => new Date());
  const started = clock();
  const throwIfAborted = () => {
    if (o.signal?.aborted)
      throw new AbortedError('sync interrupted before it finished: the report tables were not changed');
  };
  const base = { strategy: o.strategy ?? 'swap', startedAt: started.toISOString() } as const;

  if (o.dryRun) {
    const conn = await o.source.connect();
    const admin = await o.report.connect({ database: null });
    try {
      const plan = await buildPlan(conn, admin, o);
      const finished = clock();
      return {
        ...base,
        runId: null,
        dryRun: true,
        mode: plan.mode,
        finishedAt: finished.toISOString(),
        seconds: 0,
        tables: [],
        reports: [],
        skippedReports: plan.skippedReports,
        cleanedUp: [],
        notes: plan.notes,
        planText: describePlan(plan),
      };
    } finally {
      await conn.close();
      await admin.close();
    }
  }

  const lock = await acquireRunLock(o.report, lockName('sync', o.reportSchema), {
    waitSeconds: o.waitForLockSeconds ?? 0,
  });
  const admin = await o.report.connect({ database: null });
  let runId: number | null = null;
  let snapshot: SqlConnection | undefined;
  try {
    await prepareSession(admin);
    // The snapshot opens first: it is the point in time every mirror and report of this run reflects.
    // Planning validates the input (schema, --tables) before anything is written.
    snapshot = await openSnapshot(o.source);
    const snap = snapshot;
    const plan = await buildPlan(snap, admin, o);
    await admin.execute(
      `CREATE DATABASE IF NOT EXISTS ${quoteId(o.reportSchema)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
    await ensureHistoryTable(admin, o.reportSchema);
    await markAbandonedRuns(admin, o.reportSchema, 'sync', started);
    const cleanedUp = await cleanupLeftovers(admin, o.reportSchema);
    if (cleanedUp.length)
      log.warn({ tables: cleanedUp }, 'dropped temporary tables left by an interrupted run');
    runId = await startRun(admin, o.reportSchema, {
      kind: 'sync',
      strategy: base.strategy,
      startedAt: started,
    });
    log.info({ tables: plan.tables.length, reports: plan.reports.length, mode: plan.mode }, 'sync planned');
    for (const t of plan.tables) {
      await admin.execute(t.createSql).catch((e) => {
        throw new StepError('creating the mirror', t.table, { cause: e });
      });
      await admin.execute(t.disableKeysSql);
    }
    const onSnapshot = pLimit(1);
    const schemes = new Map<string, ReturnType<typeof chooseChunkScheme>>();
    for (const t of plan.tables) {
      const first = t.meta.primaryKey[0];
      const range = first
        ? await readKeyRange(snap, qualify(o.sourceSchema, t.table), quoteId(first)).catch(() => undefined)
        : undefined;
      schemes.set(t.table, chooseChunkScheme(t.meta, o.chunkRows ?? 20_000, range));
    }
    // Source checksums start at once on the snapshot session and overlap with the copies.
    const sourceSums = new Map(
      plan.mode === 'server-side'
        ? plan.tables.map((t) => [
            t.table,
            onSnapshot(() => checksumChunks(snap, o.sourceSchema, t.table, t.meta, schemes.get(t.table)!)),
          ])
        : [],
    );
    for (const p of sourceSums.values()) p.catch(() => {});
    const limit = pLimit(plan.mode === 'server-side' ? Math.max(1, o.threads ?? 2) : 1);
    const total = plan.tables.length;
    let done = 0;
    const tables = await Promise.all(
      plan.tables.map((t) =>
        limit(async () => {
          throwIfAborted();
          const worker =
            plan.mode === 'server-side'
              ? await openCopySession(o.source)
              : await o.report.connect({ database: null });
          try {
            if (plan.mode === 'streamed') await prepareSession(worker);
            const ctx = {
              plan: t,
              scheme: schemes.get(t.table)!,
              sourceSchema: o.sourceSchema,
              reportSchema: o.reportSchema,
              worker,
              sourceSums: sourceSums.get(t.table) ?? Promise.resolve(new Map()),
              onSnapshot: <T>(fn: (s: SqlConnection) => Promise<T>) => onSnapshot(() => fn(snap)),
              throwIfAborted,
            };
            const r =
              plan.mode === 'server-side' ? await syncTableServerSide(ctx) : await syncTableStreamed(ctx);
            log.info({ ...r }, `mirror ${t.table} built`);
            o.onProgress?.({ item: 'mirrors', done: ++done, total });
            return r;
          } catch (error) {
            if (error instanceof AbortedError || error instanceof StepError) throw error;
            throw new StepError('syncing', t.table, { cause: error });
          } finally {
            await worker.close();
          }
        }),
      ),
    );
    await snap.execute('COMMIT');
    await snap.close();
    snapshot = undefined;
    throwIfAborted();

    const reportLimit = pLimit(Math.max(1, o.threads ?? 2));
    const reports = await Promise.all(
      plan.reports.map((r) =>
        reportLimit(async () => {
          throwIfAborted();
          const conn = await o.report.connect({ database: null });
          const t0 = Date.now();
          try {
            await prepareSession(conn);
            for (const sql of r.statements) await conn.execute(sql);
            const rows = await countRows(conn, o.reportSchema, r.temp);
            log.info({ report: r.name, rows }, `report ${r.name} built`);
            return { name: r.name, rows, seconds: (Date.now() - t0) / 1000 };
          } catch (error) {
            throw new StepError('building report', r.name, { cause: error });
          } finally {
            await conn.close();
          }
        }),
      ),
    );
    throwIfAborted();
    await publishTables(admin, plan.publishSql, {
      lockWaitSeconds: (o.lockWaitTimeoutMs ?? 2_000) / 1000,
      logger: log,
    });
    for (const sql of plan.dropSql) await admin.execute(sql);
    const finished = clock();
    const result: SyncResult = {
      ...base,
      runId,
      dryRun: false,
      mode: plan.mode,
      finishedAt: finished.toISOString(),
      seconds: (finished.getTime() - started.getTime()) / 1000,
      tables,
      reports,
      skippedReports: plan.skippedReports,
      cleanedUp,
      notes: plan.notes,
    };
    await finishRun(admin, o.reportSchema, runId, {
      status: 'succeeded',
      finishedAt: finished,
      details: result,
    });
    return result;
  } catch (error) {
    snapshot?.destroy();
    if (runId !== null) await cleanupLeftovers(admin, o.reportSchema).catch(() => {});
    if (runId !== null) {
      await finishRun(admin, o.reportSchema, runId, {
        status: error instanceof AbortedError ? 'aborted' : 'failed',
        finishedAt: clock(),
        error: error instanceof Error ? error.message : String(error),
      }).catch(() => {});
    }
    throw error;
  } finally {
    await admin.close();
    await lock.release().catch(() => {});
  }
}
