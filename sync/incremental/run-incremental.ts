/**
 * `dualpipe sync --incremental`: brings mirrors and reports to a new snapshot touching only what
 * changed. The design, and why:
 * - What changed comes from the change log that the capture triggers fill (capture-sql.ts),
 *   read in the run's consistent snapshot and consumed by sequence number, so late commits are
 *   never skipped and rows changed without `updated_at` moving are still seen.
 * - Cascaded deletes and updates fire no triggers: derive-cascades.ts walks the foreign keys.
 *   TRUNCATE fires none either: a table whose InnoDB id changed is copied whole (table-ids.ts).
 * - MyISAM cannot roll back, so live tables are never written: changes go to the shadow set,
 *   one generation behind, and one RENAME swaps every table with its shadow (shadow-set.ts). The
 *   shadow catches up with the keys of the previous run from the journal (journal.ts).
 * - Reports are refreshed by key on the shadow set (refresh-reports.ts), in the same swap.
 * Anything that makes the log an unsafe guide (no capture, a reinstall, schema changes, a very
 * large backlog) turns the run into a full sync, and the result says why.
 *
 * The run is read (read-incremental-facts.ts), planned with no I/O (plan-incremental.ts), then
 * executed (execute-incremental.ts); a dry run stops after the plan.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { prepareSession } from '../../src/db/sessions.js';
import { openCaptureSnapshot } from '../capture/binlog/capture-snapshot.js';
import { moveToInternalSchema } from '../shadow/move-to-internal.js';
import { withSession } from '../../src/db/with-session.js';
import { readTableIds } from '../../src/catalog/table-ids.js';
import { recordFailedRun } from '../../src/history/run-history.js';
import { acquireRunLock, lockName, type RunLock } from '../../src/lock/run-lock.js';
import { holderInHistory } from '../../src/history/lock-holder.js';
import { silentLogger } from '../../src/log/logger.js';
import { createThrottle } from '../../src/guard/throttle.js';
import { executeFullSync, runSync, type SyncOptions } from '../full/run-sync.js';
import { describeIncrementalPlan } from './describe-incremental-plan.js';
import { executeIncremental, type RunSessions } from './execute-incremental.js';
import type { IncrementalFallbackResult, IncrementalOptions, IncrementalResult } from './incremental-types.js';
import { planIncremental } from './plan-incremental.js';
import { type ReadFacts, readIncrementalFacts } from './read-incremental-facts.js';

export type {
  IncrementalCost,
  IncrementalFallbackResult,
  IncrementalOptions,
  IncrementalResult,
  IncrementalRunResult,
  IncrementalTableResult,
} from './incremental-types.js';
export { fullSyncReason } from '../capture/change-log-trust.js';

/** Runs one incremental sync, or a full sync when the change log is not a safe guide (the result says which). */
export async function runIncrementalSync(o: IncrementalOptions): Promise<IncrementalResult> {
  if (o.dryRun) return dryRunIncremental(o);
  const started = (o.clock ?? (() => new Date()))();
  const lock = await acquireRunLock(o.pipeline.report, lockName('sync', o.pipeline.reportSchema), {
    waitSeconds: o.waitForLockSeconds ?? 0,
    describeHolder: holderInHistory(o.pipeline.reportSchema),
  });
  const admin = await o.pipeline.report.connect({ database: null });
  const run: RunSessions = { runId: null, lockConnection: lock.session.threadId };
  // The source's load counts: it is what the key batches read (as in a full sync).
  run.throttle = createThrottle({ limits: o.throttle, connector: o.pipeline.source, server: 'source', kind: 'incremental', logger: o.logger });
  try {
    await prepareSession(admin);
    // An old layout's bookkeeping moves into the internal schema before anything reads it.
    await moveToInternalSchema(admin, o.pipeline.reportSchema);
    const read = await readInSnapshot(o, admin, run);
    const plan = planIncremental(read.facts);
    if (plan.kind === 'full') {
      run.snap?.destroy();
      run.snap = undefined;
      return await fallback(o, lock, plan.reason);
    }
    return await executeIncremental(o, admin, run, {
      plan,
      source: read.facts.source!,
      changes: read.facts.changes!,
      sourceState: read.sourceState!,
      started,
    });
  } catch (error) {
    run.snap?.destroy();
    run.copier?.destroy();
    // Report refreshes run on their own sessions: a failed run waits for them before it lets go of the lock.
    await run.scheduler?.settle();
    await recordFailedRun(admin, o.pipeline.reportSchema, run.runId, error, (o.clock ?? (() => new Date()))());
    throw error;
  } finally {
    await run.throttle.close();
    await admin.close();
    await lock.release().catch(() => {});
  }
}

/** Opens the run's snapshot (kept in `run.snap`) and reads the facts in it. */
async function readInSnapshot(o: IncrementalOptions, admin: SqlConnection, run: RunSessions): Promise<ReadFacts> {
  // Before the snapshot: a TRUNCATE after this read changes the id again and is caught next run;
  // read after the snapshot, one between the two would be missed for good.
  const tableIds = await withSession(o.pipeline.source, (c) => readTableIds(c, o.pipeline.sourceSchema));
  // Notes where binlog capture resumes once this run's set is live (capture-snapshot.ts).
  run.snap = await openCaptureSnapshot(o.pipeline.source);
  return readIncrementalFacts(run.snap, admin, o, tableIds);
}

/** The options of the full sync an incremental run turns into: the swap strategy, so the next run can be incremental. */
function fullOptions(o: IncrementalOptions): SyncOptions {
  const { pipeline, threads, chunkRows, include, exclude, swapWaitMs, waitForLockSeconds, reports, reportSet, logger, clock, signal, onProgress, throttle } = o;
  return { pipeline, threads, chunkRows, include, exclude, swapWaitMs, waitForLockSeconds, reports, reportSet, logger, clock, signal, onProgress, throttle };
}

/** The full sync instead, under the lock this run holds. */
async function fallback(o: IncrementalOptions, lock: RunLock, reason: string): Promise<IncrementalFallbackResult> {
  (o.logger ?? silentLogger).info({ reason }, 'incremental sync runs as a full sync');
  const r = await executeFullSync(fullOptions(o), lock);
  return { ...r, incremental: true, fullSyncReason: reason, notes: [...r.notes, `full sync: ${reason}`] };
}

/** Reads and plans without the lock, and changes nothing: the plan, or the full sync's plan and why. */
async function dryRunIncremental(o: IncrementalOptions): Promise<IncrementalResult> {
  const started = (o.clock ?? (() => new Date()))();
  const admin = await o.pipeline.report.connect({ database: null });
  const run: RunSessions = { runId: null };
  try {
    await prepareSession(admin);
    const plan = planIncremental((await readInSnapshot(o, admin, run)).facts);
    if (plan.kind === 'full') {
      const r = await runSync({ ...fullOptions(o), dryRun: true });
      return { ...r, incremental: true, fullSyncReason: plan.reason, plan, planText: `${describeIncrementalPlan(plan)}\n${r.planText ?? ''}` };
    }
    return {
      kind: 'incremental',
      incremental: true,
      runId: null,
      dryRun: true,
      strategy: 'swap',
      mode: o.pipeline.sameServer ? 'server-side' : 'streamed',
      startedAt: started.toISOString(),
      finishedAt: (o.clock ?? (() => new Date()))().toISOString(),
      seconds: 0,
      mirrorsSeconds: 0,
      tables: [],
      reports: [],
      skippedReports: [],
      cleanedUp: [],
      notes: plan.notes,
      plan,
      planText: describeIncrementalPlan(plan),
    };
  } finally {
    // A snapshot that only read: ending it changes nothing.
    await run.snap?.execute('ROLLBACK').catch(() => {});
    await run.snap?.close();
    await admin.close();
  }
}
