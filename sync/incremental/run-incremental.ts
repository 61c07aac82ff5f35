/**
 * `dualpipe sync --incremental`: brings mirrors and reports to a new snapshot touching only what
 * changed. The design, and why:
 * - What changed comes from the change log that the capture triggers fill (capture-sql.ts),
 *   read in the run's consistent snapshot and consumed by sequence number, so late commits are
 *   never skipped and rows changed without `updated_at` moving are still seen.
 * - Cascaded deletes and updates fire no triggers: derive-cascades.ts walks the foreign keys.
 *   TRUNCATE fires none either: a table whose InnoDB id changed is copied whole (table-ids.ts).
 * - MyISAM cannot roll back, so live tables are never written: changes go to the shadow set, one
 *   generation behind, and one RENAME swaps every table with its shadow (shadow-set.ts). The
 *   shadow catches up with the keys of the previous run from the journal (journal.ts).
 * - Reports are refreshed by key on the shadow set (refresh-reports.ts), in the same swap.
 * Anything that makes the log an unsafe guide (no capture, a reinstall, schema changes, a very
 * large backlog) turns the run into a full sync, and the result says why.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { quoteId } from '../../src/db/quote.js';
import { readServerInfo } from '../../src/db/server-info.js';
import { withSession } from '../../src/db/with-session.js';
import { AbortedError, UnsupportedTableError } from '../../src/errors.js';
import { acquireRunLock, lockName } from '../../src/lock/run-lock.js';
import { silentLogger } from '../../src/log/logger.js';
import { applyKeys, applyWholeTable, fillChangedKeys } from './apply-to-shadow.js';
import { captureTriggers, fingerprintOf, readCapture, sourceTables } from '../capture/capture.js';
import { addKey, consumeOrNote, countChanges, type KeySet, readChanges } from '../capture/change-log.js';
import { cleanupLeftovers } from '../../src/catalog/cleanup-leftovers.js';
import { deriveCascades } from './derive-cascades.js';
import { selectTables } from '../../src/catalog/discover-tables.js';
import { findUnsupportedTables } from '../full/unsupported-tables.js';
import { readForeignKeys } from '../../src/catalog/foreign-keys.js';
import { fullSyncReason, type LastDetails } from './incremental-fallback.js';
import type { IncrementalCost, IncrementalOptions, IncrementalResult, IncrementalTableResult } from './incremental-types.js';
import { ensureJournal, planRunKeys, purgeJournal, readJournal, WHOLE_TABLE, writeJournal } from '../shadow/journal.js';
import { checkShadowChunks } from './paranoid-check.js';
import { publishTables } from '../../src/catalog/publish-tables.js';
import { collectRowKeys, createReportKeys, refreshShadowReport } from './refresh-reports.js';
import { ReportScheduler } from './report-scheduler.js';
import { loadReportDefinitions, reportFingerprints } from '../reports/report-definitions.js';
import { ensureHistoryTable, finishRun, lastSucceededSync, markAbandonedRuns, recordFailedRun, startRun } from '../../src/history/run-history.js';
import { runSync, type SyncResult } from '../full/run-sync.js';
import { GENERATION_TABLE, markShadowDirty, readGeneration, readyShadowSet, shadowName, swapSql, writeGeneration } from '../shadow/shadow-set.js';
import { openCopySession, openSnapshot, prepareSession } from '../../src/db/sessions.js';
import { readSourceState, showCreateTable, type SourceState } from '../../src/catalog/source-state.js';
import { countRows } from '../full/sync-table.js';
import { readTableIds } from '../../src/catalog/table-ids.js';

export type { IncrementalCost, IncrementalOptions, IncrementalResult, IncrementalTableResult } from './incremental-types.js';
export { fullSyncReason } from './incremental-fallback.js';

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** Above this share of a report's rows changed, the report is built again whole instead. */
const REBUILD_SHARE = 0.25;

/** Applies what changed since the last sync (needs change capture); falls back to a full sync when it cannot. */
export async function runIncrementalSync(o: IncrementalOptions): Promise<IncrementalResult> {
  const log = o.logger ?? silentLogger;
  const clock = o.clock ?? (() => new Date());
  const started = clock();
  const rep = o.pipeline.reportSchema;
  const src = o.pipeline.sourceSchema;
  const lock = await acquireRunLock(o.pipeline.report, lockName('sync', rep), { waitSeconds: o.waitForLockSeconds ?? 0 });
  const admin = await o.pipeline.report.connect({ database: null });
  let snap: SqlConnection | undefined;
  let copier: SqlConnection | undefined;
  let runId: number | null = null;
  // Report refreshes run on their own sessions: a failed run waits for them before it lets go of the lock.
  let scheduler: ReportScheduler<SyncResult['reports'][number]> | undefined;
  const full = async (reason: string): Promise<IncrementalResult> => {
    snap?.destroy();
    snap = undefined;
    log.info({ reason }, 'incremental sync runs as a full sync');
    const r = await runSync({ ...o, heldLock: true });
    return { ...r, incremental: true, fullSyncReason: reason, notes: [...r.notes, `full sync: ${reason}`] };
  };
  try {
    await prepareSession(admin);
    // Before the snapshot: a TRUNCATE after this read changes the id again and is caught next run;
    // read after the snapshot, one between the two would be missed for good.
    const tableIds = await withSession(o.pipeline.source, (c) => readTableIds(c, src));
    snap = await openSnapshot(o.pipeline.source);
    const all = await sourceTables(snap, src);
    if (o.include?.length) return await full('--tables limits a run to some tables: incremental runs cover them all');
    // A steady exclude list (sync.exclude) is honoured: changing it changes the set of mirrored
    // tables, which makes the next run a full one.
    const kept = new Set(selectTables(all.map((m) => m.name), o.exclude?.length ? { exclude: o.exclude } : {}));
    const metas = all.filter((m) => kept.has(m.name));
    const unsupported = await findUnsupportedTables(snap, src, o.exclude?.length ? { exclude: o.exclude } : {});
    if (unsupported.length) throw new UnsupportedTableError(unsupported);
    const capture = await readCapture(snap, src, metas);
    const ddl: Record<string, string> = {};
    for (const m of metas) ddl[m.name] = await showCreateTable(snap, src, m.name);
    await admin.execute(`CREATE DATABASE IF NOT EXISTS ${quoteId(rep)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    // Multi-table DELETE resolves its target alias against the default schema (MariaDB).
    await admin.execute(`USE ${quoteId(rep)}`);
    await ensureHistoryTable(admin, rep);
    const last = await lastSucceededSync(admin, rep);
    const live = await readGeneration(admin, rep, GENERATION_TABLE);
    const pending = capture.installed ? await countChanges(snap, src) : 0;
    const fks = await readForeignKeys(snap, src);
    // A cascade crossing from an excluded table into a mirrored one could not be derived.
    const crossing = fks.filter((fk) => kept.has(fk.child) !== kept.has(fk.parent));
    if (crossing.length) return await full(`foreign key ${crossing[0]!.name} links excluded and mirrored tables`);
    const reportDefs = (o.reports ?? loadReportDefinitions()).filter((d) => d.dependsOn.every((t) => metas.some((m) => m.name === t)));
    const reason = fullSyncReason({
      captureId: capture.captureId,
      fingerprint: { installed: capture.fingerprint, expected: fingerprintOf(captureTriggers(src, all, fks)) },
      reports: { now: reportFingerprints(reportDefs), last: ((last?.details ?? {}) as LastDetails).reportHashes },
      uncapturedWithKey: capture.uncaptured.filter((u) => !u.why.startsWith('no primary key')).map((u) => u.table),
      last: last ? { details: last.details ?? {}, ddl: ((last.sourceState ?? {}) as Partial<SourceState>).ddl ?? {} } : undefined,
      liveGeneration: live?.runId ?? null,
      ddl,
      pending,
      sourceRows: sum(metas.map((m) => m.estimatedRows)),
      maxChangeShare: o.maxChangeShare ?? 0.2,
    });
    if (reason) return await full(reason);
    const liveNow = new Set(
      (await admin.query<{ t: string }>('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [rep])).map((r) => r.t),
    );
    const missingLive = [...metas.map((m) => m.name), ...reportDefs.map((d) => d.name)].filter((t) => !liveNow.has(t));
    if (missingLive.length) return await full(`table(s) ${missingLive.join(', ')} missing from ${rep}`);
    const lastDetails = (last!.details ?? {}) as LastDetails;

    // --- the point in time of this run, and what changed since the live set ---
    const sourceState = await readSourceState(snap, src, ddl);
    const changes = await readChanges(snap, src);
    const byName = new Map(metas.map((m) => [m.name, m]));
    const whole = new Set<string>(capture.uncaptured.map((u) => u.table));
    const notes: string[] = [];
    if (tableIds && lastDetails.tableIds) {
      for (const m of metas) {
        if (tableIds[m.name] === undefined) notes.push(`no InnoDB table id for ${m.name}: a TRUNCATE of it is found only by \`verify\` or --paranoid`);
        else if (lastDetails.tableIds[m.name] !== tableIds[m.name]) whole.add(m.name);
      }
    } else notes.push('InnoDB table ids are not readable (PROCESS privilege): a TRUNCATE is found only by `verify` or --paranoid');
    const cascades = await deriveCascades(admin, rep, byName, fks, changes.keys, { snap, schema: src });
    for (const t of cascades.whole) whole.add(t);

    await markAbandonedRuns(admin, rep, 'sync', started);
    await cleanupLeftovers(admin, rep);
    runId = await startRun(admin, rep, { kind: 'sync', strategy: 'incremental', startedAt: started });
    await ensureJournal(admin, rep);

    // --- the shadow set: one generation behind, or copied afresh ---
    const reports = reportDefs;
    const liveTables = [...metas.map((m) => m.name), ...reports.map((r) => r.name)];
    const { primed, generation: shadowGen } = await readyShadowSet(o.pipeline.report, admin, rep, {
      tables: liveTables,
      present: liveNow,
      live: live!,
      threads: Math.max(1, o.threads ?? 2),
      log,
    });
    const journal = primed ? new Map<string, KeySet>() : await readJournal(admin, rep, shadowGen, live!.runId);

    const { own, needWhole } = planRunKeys({ tables: new Set(byName.keys()), sources: [changes.keys, cascades.derived], whole, journal });

    // One server: rows are copied server-side by a READ COMMITTED session, checked against the snapshot.
    copier = o.pipeline.sameServer ? await openCopySession(o.pipeline.source) : undefined;
    await markShadowDirty(admin, rep, { runId: shadowGen, dirty: true });
    log.info({ changes: changes.rows, cascaded: cascades.rows, whole: [...needWhole] }, 'incremental: applying changes to the shadow set');
    const incReports = reports.filter((r) => r.incremental && !r.dependsOn.some((d) => needWhole.has(d)));
    const rebuilt = reports.filter((r) => !incReports.includes(r));
    for (const r of incReports) await createReportKeys(admin, rep, r);

    const repaired = new Set<string>();
    const rebuiltNow = new Set<string>();
    let reportKeys = 0;
    // Reports are independent of each other: refreshed in parallel, each on its own session, each
    // as soon as its mirrors are written (with --paranoid, after the check, which may rebuild it).
    scheduler = new ReportScheduler(
      reports,
      o.threads ?? 2,
      async (def): Promise<SyncResult['reports'][number]> => {
        const r = await refreshShadowReport(o.pipeline.report, rep, def, {
          whole: rebuilt.includes(def) || def.dependsOn.some((d) => repaired.has(d)),
          changedTables,
          rebuildShare: REBUILD_SHARE,
          log,
        });
        if (r.rebuilt) rebuiltNow.add(def.name);
        reportKeys += r.keys;
        return { name: def.name, rows: r.rows, seconds: r.seconds };
      },
      o.paranoid === true,
    );

    const results: IncrementalTableResult[] = [];
    const changedTables = new Set<string>();
    const feedsReports = new Set(reports.flatMap((r) => r.dependsOn));
    const order = [...metas].sort((x, y) => Number(!feedsReports.has(x.name)) - Number(!feedsReports.has(y.name)));
    for (const meta of order) {
      const ownKeys = own.get(meta.name);
      const keys = new Set<string>([...(ownKeys?.keys() ?? []), ...(journal.get(meta.name)?.keys() ?? [])]);
      keys.delete(WHOLE_TABLE);
      const r: IncrementalTableResult = {
        table: meta.name,
        logKeys: changes.keys.get(meta.name)?.size ?? 0,
        cascadeKeys: cascades.derived.get(meta.name)?.size ?? 0,
        journalKeys: journal.get(meta.name)?.size ?? 0,
        whole: needWhole.has(meta.name),
        rowsDeleted: 0,
        rowsWritten: 0,
        batchesRepaired: 0,
        rows: 0,
      };
      if (o.signal?.aborted) throw new AbortedError('incremental sync interrupted: the live report tables were not changed');
      if (r.whole) {
        Object.assign(r, await applyWholeTable(snap, admin, { sourceSchema: src, reportSchema: rep, meta, copier }));
      } else if (keys.size) {
        const list = [...keys];
        changedTables.add(meta.name);
        await fillChangedKeys(admin, rep, meta, list);
        for (const def of incReports) await collectRowKeys(admin, rep, def, meta);
        Object.assign(r, await applyKeys(snap, admin, { sourceSchema: src, reportSchema: rep, meta, keys: list, copier }));
        for (const def of incReports) await collectRowKeys(admin, rep, def, meta);
      }
      r.rows = await countRows(admin, rep, shadowName(meta.name));
      results.push(r);
      if (keys.size || r.whole) log.info({ table: meta.name, deleted: r.rowsDeleted, written: r.rowsWritten }, `incremental: ${meta.name} applied`);
      scheduler.mirrorWritten(meta.name);
      o.onProgress?.({ item: 'tables', done: results.length, total: metas.length });
    }
    const check = o.paranoid
      ? await checkShadowChunks(snap, admin, { sourceSchema: src, reportSchema: rep, metas, chunkRows: o.chunkRows ?? 20_000, log })
      : { chunksCompared: 0, chunksRewritten: 0, repaired: [] as string[] };
    for (const t of check.repaired) {
      repaired.add(t);
      // The other copy has the same drift: the next run copies this table whole into it.
      addKey(own, t, WHOLE_TABLE, false);
    }
    // Every shadow mirror equals the snapshot: let InnoDB purge again.
    await copier?.close();
    copier = undefined;
    await snap.execute('COMMIT').catch(() => {});
    await snap.close();
    snap = undefined;
    const mirrorsSeconds = (clock().getTime() - started.getTime()) / 1000;
    const reportResults = await scheduler.all();

    log.info({ reportKeys }, 'incremental: reports refreshed');
    // --- publish: journal first (the next run needs it), then the swap ---
    await writeJournal(admin, rep, runId, own);
    await writeGeneration(admin, rep, shadowName(GENERATION_TABLE), { runId, dirty: false });
    if (o.signal?.aborted) throw new AbortedError('incremental sync interrupted: the live report tables were not changed');
    const published = await publishTables(admin, [swapSql(rep, liveTables)], {
      flavor: (await readServerInfo(admin)).flavor,
      politeMs: o.swapWaitMs ?? 10_000,
      logger: log,
    });
    log.info({ attempts: published.attempts }, 'shadow set swapped in');
    // The shadow is now the old live set: the journal before it is no longer needed.
    await purgeJournal(admin, rep, live!.runId).catch(() => {});
    await consumeOrNote(o.pipeline.source, src, changes.ranges, notes, log);
    await cleanupLeftovers(admin, rep);

    const finished = clock();
    const cost: IncrementalCost = {
      changeLogRows: changes.rows,
      keysApplied: sum(results.map((r) => r.logKeys + r.cascadeKeys + r.journalKeys)),
      rowsMoved: sum(results.map((r) => r.rowsDeleted + r.rowsWritten)),
      batchesRepaired: sum(results.map((r) => r.batchesRepaired)),
      cascadeRows: cascades.rows,
      reportKeys,
      reportsRebuilt: rebuiltNow.size,
      primedShadow: primed,
      chunksCompared: check.chunksCompared,
      chunksRewritten: check.chunksRewritten,
    };
    const result: IncrementalResult = {
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
    };
    await finishRun(admin, rep, runId, {
      status: 'succeeded',
      finishedAt: finished,
      details: { ...result, captureId: capture.captureId, tableIds, reportHashes: reportFingerprints(reports) },
      sourceState,
    });
    return result;
  } catch (error) {
    snap?.destroy();
    copier?.destroy();
    await scheduler?.settle();
    await recordFailedRun(admin, rep, runId, error, clock());
    throw error;
  } finally {
    await admin.close();
    await lock.release().catch(() => {});
  }
}
