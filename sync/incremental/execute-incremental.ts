/**
 * Runs an incremental plan (plan-incremental.ts) step by step, under the run lock the caller holds.
 * MyISAM cannot roll back, so nothing here writes a live table: changes go to the shadow set,
 * and the `publish` step swaps every table with its shadow in one RENAME.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { quoteId } from '../../src/db/quote.js';
import { openCopySession, snapshotTimeOf } from '../../src/db/sessions.js';
import { AbortedError } from '../../src/errors.js';
import type { SourceState } from '../../src/catalog/source-state.js';
import { cleanupLeftovers } from '../../src/catalog/cleanup-leftovers.js';
import { ensureHistoryTable, finishRun, markAbandonedRuns, startRun } from '../../src/history/run-history.js';
import { silentLogger } from '../../src/log/logger.js';
import type { Throttle } from '../../src/guard/throttle.js';
import { addKey, consumeOrNote } from '../capture/change-log.js';
import type { SyncResult } from '../full/run-sync.js';
import { countRows } from '../full/sync-table.js';
import { reportFingerprints } from '../reports/report-definitions.js';
import { ensureJournal, WHOLE_TABLE } from '../shadow/journal.js';
import { markShadowDirty, primeShadowSet, shadowName } from '../shadow/shadow-set.js';
import { publishShadow } from './publish-shadow.js';
import { ensureInternalSchema } from '../../src/catalog/internal-schema.js';
import { applyWholeTable } from './apply-to-shadow.js';
import { applyChangedKeys, ReportKeyRegistry } from './apply-changed-keys.js';
import { ownReportKeysTable } from './copy-from-live.js';
import type { IncrementalCost, IncrementalOptions, IncrementalRunResult, IncrementalTableResult } from './incremental-types.js';
import { checkShadowChunks } from './paranoid-check.js';
import { type ChangeFacts, type IncrementalRunPlan, runKeys, type SourceFacts } from './plan-incremental.js';
import { createReportKeys, refreshShadowReport } from './refresh-reports.js';
import { ReportScheduler } from './report-scheduler.js';
import { markDeadRuns } from '../../src/history/dead-runs.js';
import { resumePositionOf } from '../capture/binlog/capture-snapshot.js';

/** Above this share of a report's rows changed, the report is built again whole instead. */
const REBUILD_SHARE = 0.25;

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** The sessions and run id of a run in progress: what a failed run must clean up. */
export interface RunSessions {
  /** The server session holding the run lock, noted in the history row (lock-holder.ts). */
  lockConnection?: number;
  snap?: SqlConnection | undefined;
  copier?: SqlConnection | undefined;
  scheduler?: ReportScheduler<SyncResult['reports'][number]> | undefined;
  runId: number | null;
  /** The run's throttle, checked before each table and key batch (run-incremental.ts closes it). */
  throttle?: Throttle;
}

/** Runs `plan` with the facts it was made from; `run.snap` is the snapshot the facts were read in. */
export async function executeIncremental(
  o: IncrementalOptions,
  admin: SqlConnection,
  run: RunSessions,
  x: { plan: IncrementalRunPlan; source: SourceFacts; changes: ChangeFacts; sourceState: SourceState; started: Date },
): Promise<IncrementalRunResult> {
  const { plan, source, changes, started } = x;
  const log = o.logger ?? silentLogger;
  const clock = o.clock ?? (() => new Date());
  const rep = o.pipeline.reportSchema;
  const src = o.pipeline.sourceSchema;
  const live = source.liveGeneration!;
  const snap = run.snap!;
  const snapshotAt = snapshotTimeOf(snap) ?? started.toISOString().slice(0, 23).replace('T', ' ');
  // Where binlog capture resumes once this set is live: published with it (publish-shadow.ts).
  const resume = resumePositionOf(snap, source.capture.method === 'binlog' ? (source.capture.resume ?? null) : null);
  const byName = new Map(source.tables.map((m) => [m.name, m]));
  const throwIfAborted = () => {
    if (o.signal?.aborted) throw new AbortedError('incremental sync interrupted: the live report tables were not changed');
  };
  await admin.execute(`CREATE DATABASE IF NOT EXISTS ${quoteId(rep)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  // Shadows and work tables live in the internal schema. Multi-table DELETE resolves its target
  // alias against the default schema (MariaDB): the shadows' schema is the default.
  const work = await ensureInternalSchema(admin, rep);
  await admin.execute(`USE ${quoteId(work)}`);
  await ensureHistoryTable(admin, rep);
  await markAbandonedRuns(admin, rep, 'sync', started);
  await markDeadRuns(admin, rep, started);
  await cleanupLeftovers(admin, rep);
  const runId = await startRun(admin, rep, {
    kind: 'sync',
    strategy: 'incremental',
    startedAt: started,
    ...(run.lockConnection !== undefined ? { lockConnection: run.lockConnection } : {}),
  });
  run.runId = runId;
  await ensureJournal(admin, rep);

  const own = runKeys(plan, changes);
  const notes = [...plan.notes];
  const results: IncrementalTableResult[] = [];
  const changedTables = new Set<string>();
  const repaired = new Set<string>();
  const rebuiltNow = new Set<string>();
  const reportSteps = new Map(plan.steps.flatMap((s) => (s.step === 'refresh-reports' ? s.reports : [])).map((r) => [r.name, r]));
  const incReports = source.reports.filter((r) => reportSteps.get(r.name)?.whole === false);
  const applies = plan.steps.filter((s) => s.step === 'apply').length;
  let [reportKeys, reportKeysFromLive, primed] = [0, 0, false];
  let check = { chunksCompared: 0, chunksRewritten: 0, repaired: [] as string[] };
  let mirrorsSeconds = 0;
  let reportResults: SyncResult['reports'] = [];
  // The journal's keys that no own change touches, and their report rows, come from the live set.
  const fromLive = [...changes.journal.values()].some((set) => set.size > (set.has(WHOLE_TABLE) ? 1 : 0));
  // Per report and mirror, the tables of the keys the report collects from (relevant-keys.ts).
  const keyTables = new ReportKeyRegistry();

  for (const step of plan.steps) {
    switch (step.step) {
      case 'prepare-shadow': {
        // The shadow set: one generation behind, or copied afresh from the live set.
        if (step.prime) {
          log.info({ reason: step.reason }, 'copying the live tables into the shadow set');
          await primeShadowSet(o.pipeline.report, admin, rep, step.tables, live, Math.max(1, o.threads ?? 2));
          primed = true;
        }
        // One server: rows are copied server-side by a READ COMMITTED session, checked against the snapshot.
        run.copier = o.pipeline.sameServer ? await openCopySession(o.pipeline.source) : undefined;
        await markShadowDirty(admin, rep, { runId: step.prime ? live.runId : source.shadowGeneration!.runId, dirty: true });
        log.info({ changes: changes.log.rows, cascaded: changes.cascades.rows, whole: plan.copiedWhole.map((w) => w.table) }, 'incremental: applying changes to the shadow set');
        for (const r of incReports) {
          await createReportKeys(admin, work, r);
          if (fromLive) await createReportKeys(admin, work, r, ownReportKeysTable(r.name));
        }
        // Reports are independent of each other: refreshed in parallel, each on its own session, each
        // as soon as its mirrors are written (with --paranoid, after the check, which may rebuild it).
        run.scheduler = new ReportScheduler(
          source.reports,
          o.threads ?? 2,
          async (def) => {
            const r = await refreshShadowReport(o.pipeline.report, work, def, {
              whole: reportSteps.get(def.name)?.whole !== false || def.dependsOn.some((d) => repaired.has(d)),
              changedTables,
              keysOf: keyTables.forReport(def.name).keysOf,
              rebuildShare: REBUILD_SHARE,
              log,
              ...(fromLive ? { fromLive: { live: rep, own: keyTables.forReport(def.name).own } } : {}),
            });
            if (r.rebuilt) rebuiltNow.add(def.name);
            reportKeys += r.keys;
            reportKeysFromLive += r.copied;
            return { name: def.name, rows: r.rows, seconds: r.seconds };
          },
          o.paranoid === true,
        );
        break;
      }
      case 'apply': {
        const meta = byName.get(step.table)!;
        const keys = new Set<string>([...(own.get(meta.name)?.keys() ?? []), ...(changes.journal.get(meta.name)?.keys() ?? [])]);
        keys.delete(WHOLE_TABLE);
        const { logKeys, cascadeKeys, journalKeys, whole } = step;
        const r: IncrementalTableResult = { table: meta.name, logKeys, cascadeKeys, journalKeys, whole, rowsDeleted: 0, rowsWritten: 0, rowsFromLive: 0, batchesRepaired: 0, rows: 0 };
        const pace = () => (run.throttle?.check(o.signal) ?? Promise.resolve()).then(throwIfAborted);
        await pace();
        if (r.whole) {
          Object.assign(r, await applyWholeTable(snap, admin, { sourceSchema: src, reportSchema: work, meta, copier: run.copier }));
        } else if (keys.size) {
          changedTables.add(meta.name);
          const ownKeys = [...(own.get(meta.name)?.keys() ?? [])].filter((k) => k !== WHOLE_TABLE);
          const a = await applyChangedKeys(snap, admin, { source: src, work, live: rep, meta, all: [...keys], own: ownKeys, fromLive, reports: incReports, copier: run.copier, pace });
          const { reportKeys: seen, hasOwn, ...applied } = a;
          keyTables.add(meta.name, { reportKeys: seen, hasOwn });
          Object.assign(r, applied);
        }
        r.rows = await countRows(admin, work, shadowName(meta.name));
        results.push(r);
        if (keys.size || r.whole) log.info({ table: meta.name, deleted: r.rowsDeleted, written: r.rowsWritten }, `incremental: ${meta.name} applied`);
        run.scheduler!.mirrorWritten(meta.name);
        o.onProgress?.({ item: 'tables', done: results.length, total: applies });
        break;
      }
      case 'paranoid-check': {
        check = await checkShadowChunks(snap, admin, { sourceSchema: src, reportSchema: work, metas: source.tables, chunkRows: o.chunkRows ?? 20_000, log });
        for (const t of check.repaired) {
          repaired.add(t);
          // The other copy has the same drift: the next run copies this table whole into it.
          addKey(own, t, WHOLE_TABLE, false);
        }
        break;
      }
      case 'refresh-reports': {
        // Every shadow mirror equals the snapshot: let InnoDB purge again.
        await run.copier?.close();
        run.copier = undefined;
        await snap.execute('COMMIT').catch(() => {});
        await snap.close();
        run.snap = undefined;
        mirrorsSeconds = (clock().getTime() - started.getTime()) / 1000;
        reportResults = await run.scheduler!.all();
        log.info({ reportKeys }, 'incremental: reports refreshed');
        break;
      }
      case 'publish': {
        const mirrors = new Set(byName.keys());
        const published = await publishShadow(admin, { reportSchema: rep, runId, liveRunId: live.runId, tables: step.tables, mirrors, snapshotAt, resume, own, swapWaitMs: o.swapWaitMs, log, throwIfAborted });
        log.info({ attempts: published.attempts }, 'shadow set swapped in');
        break;
      }
      case 'consume-log': {
        await consumeOrNote(o.pipeline.source, src, changes.log.ranges, notes, log);
        await cleanupLeftovers(admin, rep);
        break;
      }
    }
  }

  const finished = clock();
  const cost: IncrementalCost = {
    changeLogRows: changes.log.rows,
    keysApplied: sum(results.map((r) => r.logKeys + r.cascadeKeys + r.journalKeys)),
    rowsMoved: sum(results.map((r) => r.rowsDeleted + r.rowsWritten)),
    batchesRepaired: sum(results.map((r) => r.batchesRepaired)),
    cascadeRows: changes.cascades.rows,
    reportKeys,
    reportKeysFromLive,
    reportsRebuilt: rebuiltNow.size,
    primedShadow: primed,
    chunksCompared: check.chunksCompared,
    chunksRewritten: check.chunksRewritten,
  };
  const result: IncrementalRunResult = {
    kind: 'incremental',
    runId,
    dryRun: false,
    strategy: 'swap',
    mode: o.pipeline.sameServer ? 'server-side' : 'streamed',
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    seconds: (finished.getTime() - started.getTime()) / 1000,
    mirrorsSeconds,
    tables: results.map((r) => ({ table: r.table, rows: r.rows, chunks: 0, chunksRepaired: 0, rowsRepaired: 0, seconds: 0 })),
    reports: reportResults,
    skippedReports: [],
    cleanedUp: [],
    notes,
    incremental: true,
    cost,
    changes: results,
    ...(o.throttle && run.throttle ? { throttle: run.throttle.stats() } : {}),
  };
  await finishRun(admin, rep, runId, {
    status: 'succeeded',
    finishedAt: finished,
    details: { ...result, captureId: source.capture.captureId, tableIds: source.tableIds, reportHashes: reportFingerprints(source.reports) },
    sourceState: x.sourceState,
  });
  return result;
}
