/**
 * The sync executor: runs a plan from `plan.ts`. One consistent snapshot of the source defines
 * the point in time of the whole run; mirrors are built under temporary names, repaired to equal
 * the snapshot, reports are built from them, and one atomic RENAME publishes everything.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { quoteId } from '../../src/db/quote.js';
import { readServerInfo } from '../../src/db/server-info.js';
import { AbortedError, DualpipeError } from '../../src/errors.js';
import { acquireRunLock, lockName, type RunLock } from '../../src/lock/run-lock.js';
import { holderInHistory } from '../../src/history/lock-holder.js';
import { silentLogger } from '../../src/log/logger.js';
import { createThrottle, type ThrottleStats } from '../../src/guard/throttle.js';
import { buildTables } from './build-tables.js';
import { createMirrors } from './create-mirrors.js';
import { cleanupLeftovers } from '../../src/catalog/cleanup-leftovers.js';
import { describePlan, type SyncPlan, type SyncStrategy } from './plan-sync.js';
import { buildPlan } from './build-sync-plan.js';
import { publishTables } from '../../src/catalog/publish-tables.js';
import { reportFingerprints } from '../reports/report-definitions.js';
import { reportsOfRun } from '../reports/report-set.js';
import { ensureHistoryTable, finishRun, markAbandonedRuns, recordFailedRun, startRun } from '../../src/history/run-history.js';
import { prepareSession, snapshotTimeOf } from '../../src/db/sessions.js';
import { readSourceState } from '../../src/catalog/source-state.js';
import type { TableSyncResult } from './sync-table.js';
import { readCapture } from '../capture/capture.js';
import { consumeOrNote } from '../capture/change-log.js';
import { liveResumePosition, markFullSyncGeneration, oldSetKeeper, readFullSyncChanges, retireShadowSet, withFreshness } from '../shadow/after-full-sync.js';
import { openCaptureSnapshot, resumePositionOf } from '../capture/binlog/capture-snapshot.js';
import { moveToInternalSchema } from '../shadow/move-to-internal.js';
import { readTableIds } from '../../src/catalog/table-ids.js';
import { withSession } from '../../src/db/with-session.js';
import type { SyncRunOptions } from './sync-run-options.js';
import { notePhase } from '../../src/guard/run-watch.js';
import { markDeadRuns } from '../../src/history/dead-runs.js';

/** Options of a full sync (`runSync`). */
export interface SyncOptions extends SyncRunOptions {
  /** `swap` (default): build aside and swap in; `lock`: rewrite the live tables under a lock. */
  strategy?: SyncStrategy;
  /**
   * Runs once the mirrors are published, still inside the run's snapshot and lock (`sync
   * --verify` compares them with the very snapshot they were copied from). The snapshot then
   * stays open until it returns, which holds back InnoDB purge for that long.
   */
  afterPublish?: (snapshot: SqlConnection) => Promise<void>;
}

/** What a full sync did (or, with `dryRun`, would do). */
export interface SyncResult {
  /** A full sync ran (incremental results say `incremental`; see IncrementalResult). */
  kind: 'full';
  runId: number | null;
  dryRun: boolean;
  strategy: SyncStrategy;
  mode: SyncPlan['mode'];
  startedAt: string;
  finishedAt: string;
  seconds: number;
  /** Time until every mirror equalled the snapshot (reports may still have been building). */
  mirrorsSeconds: number;
  tables: TableSyncResult[];
  reports: { name: string; rows: number; seconds: number }[];
  skippedReports: { name: string; missing: string[] }[];
  cleanedUp: string[];
  notes: string[];
  /** The plan as SQL text (dry runs only). */
  planText?: string;
  /** How often and how long the run paused for its throttle (present when it had limits). */
  throttle?: ThrottleStats;
}

/** Runs one full sync (or returns the plan with `dryRun`). */
export async function runSync(o: SyncOptions): Promise<SyncResult> {
  const clock = o.clock ?? (() => new Date());
  const started = clock();
  if (o.dryRun) {
    const base = { kind: 'full', strategy: o.strategy ?? 'swap', startedAt: started.toISOString() } as const;
    const conn = await o.pipeline.source.connect();
    const admin = await o.pipeline.report.connect({ database: null });
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
        mirrorsSeconds: 0,
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

  const lock = await acquireRunLock(o.pipeline.report, lockName('sync', o.pipeline.reportSchema), {
    waitSeconds: o.waitForLockSeconds ?? 0,
    describeHolder: holderInHistory(o.pipeline.reportSchema),
  });
  try {
    return await executeFullSync(o, lock, started);
  } finally {
    await lock.release().catch(() => {});
  }
}

/**
 * @internal Not part of api/index.ts: runs a full sync under the run lock the caller holds and
 * keeps; an incremental run that turns into a full one calls it. `lock` is only the proof that the
 * lock is held: it is not released here.
 */
export async function executeFullSync(o: SyncOptions, lock: RunLock, started = (o.clock ?? (() => new Date()))()): Promise<SyncResult> {
  if (lock.name !== lockName('sync', o.pipeline.reportSchema)) {
    throw new DualpipeError(`a full sync of ${o.pipeline.reportSchema} needs its run lock, not ${lock.name}`);
  }
  const log = o.logger ?? silentLogger;
  const clock = o.clock ?? (() => new Date());
  const throwIfAborted = () => {
    if (o.signal?.aborted)
      throw new AbortedError('sync interrupted before it finished: the report tables were not changed');
  };
  const base = { kind: 'full', strategy: o.strategy ?? 'swap', startedAt: started.toISOString() } as const;
  const admin = await o.pipeline.report.connect({ database: null });
  let runId: number | null = null;
  let snapshot: SqlConnection | undefined;
  // The source is the server a sync reads from, and whose load the throttle watches.
  const throttle = createThrottle({ limits: o.throttle, connector: o.pipeline.source, server: 'source', kind: 'sync', logger: log });
  try {
    await prepareSession(admin);
    // The snapshot opens first: the point in time of every mirror and report of this run; planning
    // validates the input (schema, --tables) before anything is written; table ids are read before.
    const tableIds = await withSession(o.pipeline.source, (c) => readTableIds(c, o.pipeline.sourceSchema));
    const earlier = await liveResumePosition(admin, o.pipeline.reportSchema);
    snapshot = await openCaptureSnapshot(o.pipeline.source);
    const snap = snapshot;
    const reportDefs = await reportsOfRun(snap, o.pipeline.sourceSchema, o);
    const plan = await buildPlan(snap, admin, { ...o, reports: reportDefs });
    const sourceState = await readSourceState(snap, o.pipeline.sourceSchema, Object.fromEntries(plan.tables.map((t) => [t.table, t.sourceDdl])));
    // Change capture: this snapshot's log rows are covered by this run; later ones stay for the next.
    const capture = await readCapture(snap, o.pipeline.sourceSchema, plan.tables.map((t) => t.meta));
    const whole = plan.strategy === 'swap' && !o.include?.length;
    const { ranges: consumed, catchUp } = await readFullSyncChanges(snap, admin, { ...o.pipeline, tables: plan.tables.map((t) => t.meta), ddl: sourceState.ddl, capture, tableIds, whole, log });
    await admin.execute(
      `CREATE DATABASE IF NOT EXISTS ${quoteId(o.pipeline.reportSchema)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
    await moveToInternalSchema(admin, o.pipeline.reportSchema);
    await ensureHistoryTable(admin, o.pipeline.reportSchema);
    await markAbandonedRuns(admin, o.pipeline.reportSchema, 'sync', started);
    await markDeadRuns(admin, o.pipeline.reportSchema, started);
    const cleanedUp = await cleanupLeftovers(admin, o.pipeline.reportSchema);
    if (cleanedUp.length)
      log.warn({ tables: cleanedUp }, 'dropped temporary tables left by an interrupted run');
    runId = await startRun(admin, o.pipeline.reportSchema, {
      kind: 'sync',
      strategy: base.strategy,
      startedAt: started,
      lockConnection: lock.session.threadId,
    });
    log.info({ tables: plan.tables.length, reports: plan.reports.length, mode: plan.mode }, 'sync planned');
    await createMirrors(admin, plan);
    const { tables, reports, mirrorsSeconds } = await buildTables({
      plan,
      source: o.pipeline.source,
      report: o.pipeline.report,
      snapshot: snap,
      threads: Math.max(1, o.threads ?? 2),
      chunkRows: o.chunkRows ?? 20_000,
      log,
      throwIfAborted,
      pace: () => throttle.check(o.signal),
      onMirrorsDone: async () => {
        if (o.afterPublish) return;
        // The snapshot is no longer needed once every mirror equals it: let InnoDB purge again.
        await snap.execute('COMMIT').catch(() => {});
        await snap.close();
        snapshot = undefined;
      },
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    });
    throwIfAborted();
    const reportHashes = reportFingerprints(reportDefs.filter((d) => plan.reports.some((r) => r.name === d.name)));
    const keepOldSet = await oldSetKeeper(admin, o.pipeline.reportSchema, { plan, whole, reportHashes, log, runId, catchUp });
    await retireShadowSet(admin, o.pipeline.reportSchema);
    notePhase('swapping in the report tables');
    const fresh = await withFreshness(admin, o.pipeline.reportSchema, {
      entries: [...plan.tables.map((t) => ({ table: t.table, kind: 'mirror' as const })), ...plan.reports.map((r) => ({ table: r.name, kind: 'report' as const }))],
      stamp: { runId, snapshotAt: snapshotTimeOf(snap) ?? started.toISOString().slice(0, 23).replace('T', ' ') },
      publishSql: plan.publishSql,
      swap: plan.strategy === 'swap',
    });
    const published = await publishTables(admin, fresh.publishSql, {
      flavor: (await readServerInfo(admin)).flavor,
      politeMs: o.swapWaitMs ?? 10_000,
      logger: log,
    });
    log.info({ attempts: published.attempts }, 'report tables swapped in');
    // An exclude list leaves the run whole for the tables it keeps; incremental runs honour it. The
    // live marker first: a kept set's marker must never be read beside the replaced set's.
    await markFullSyncGeneration(admin, o.pipeline.reportSchema, { runId, whole, resume: resumePositionOf(snap, earlier) });
    await keepOldSet();
    for (const sql of [...plan.dropSql, fresh.drop]) await admin.execute(sql);
    await consumeOrNote(o.pipeline.source, o.pipeline.sourceSchema, consumed, plan.notes, log);
    if (o.afterPublish) {
      await o.afterPublish(snap);
      await snap.execute('COMMIT').catch(() => {});
      await snap.close();
      snapshot = undefined;
    }
    const finished = clock();
    const result: SyncResult = {
      ...base,
      runId,
      dryRun: false,
      mode: plan.mode,
      finishedAt: finished.toISOString(),
      seconds: (finished.getTime() - started.getTime()) / 1000,
      mirrorsSeconds,
      tables,
      reports,
      skippedReports: plan.skippedReports,
      cleanedUp,
      notes: plan.notes,
      ...(o.throttle ? { throttle: throttle.stats() } : {}),
    };
    await finishRun(admin, o.pipeline.reportSchema, runId, {
      status: 'succeeded',
      finishedAt: finished,
      details: { ...result, captureId: capture.captureId, tableIds, reportHashes },
      sourceState,
    });
    return result;
  } catch (error) {
    snapshot?.destroy();
    if (runId !== null) await cleanupLeftovers(admin, o.pipeline.reportSchema).catch(() => {});
    await recordFailedRun(admin, o.pipeline.reportSchema, runId, error, clock());
    throw error;
  } finally {
    await throttle.close();
    await admin.close();
  }
}
