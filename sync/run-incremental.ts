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
import type { SqlConnection } from '../src/db/connection.js';
import { qualify, quoteId } from '../src/db/quote.js';
import { readServerInfo } from '../src/db/server-info.js';
import { AbortedError, StepError } from '../src/errors.js';
import { acquireRunLock, lockName } from '../src/lock/run-lock.js';
import { silentLogger } from '../src/log/logger.js';
import { applyKeys, applyWholeTable, fillChangedKeys } from './apply-to-shadow.js';
import { captureTriggers, fingerprintOf, readCapture, sourceTables } from './capture.js';
import { withSession } from '../src/db/with-session.js';
import { addKey, consumeChanges, countChanges, type KeySet, readChanges } from './change-log.js';
import { checksumChunks, schemeForTable } from './checksum-chunks.js';
import { chunkCondition, diffChunks } from './chunk-sql.js';
import { cleanupLeftovers } from './cleanup-leftovers.js';
import { copyRows } from './copy-rows.js';
import { discoverTables } from './discover-tables.js';
import { deriveCascades } from './derive-cascades.js';
import { readForeignKeys } from './foreign-keys.js';
import { ensureJournal, purgeJournal, readJournal, WHOLE_TABLE, writeJournal } from './journal.js';
import { publishTables } from './publish-tables.js';
import { collectQueryKeys, collectRowKeys, countReportKeys, createReportKeys, rebuildReport, refreshKeys } from './refresh-reports.js';
import { countRows } from './sync-table.js';
import pLimit from 'p-limit';
import { loadReportDefinitions, reportFingerprints } from './report-definitions.js';
import { ensureHistoryTable, finishRun, lastSucceededSync, markAbandonedRuns, recordFailedRun, startRun } from './run-history.js';
import { runSync, type SyncOptions, type SyncResult } from './run-sync.js';
import { GENERATION_TABLE, markShadowDirty, primeShadowSet, readGeneration, shadowName, swapSql, writeGeneration } from './shadow-set.js';
import { openCopySession, openSnapshot, prepareSession } from './snapshot.js';
import { normalizeDdl, readMigrations, readSnapshotBinlog, type SourceState } from './source-state.js';
import { readTableIds } from './table-ids.js';
import { writableColumns } from './table-meta.js';

export interface IncrementalOptions extends SyncOptions {
  /**
   * Also compare per-chunk checksums of every shadow mirror with the snapshot before the swap, and
   * rewrite the chunks that differ (the safety net against changes the triggers could not see:
   * triggers dropped and recreated by hand, writes with triggers disabled, a damaged MyISAM file).
   */
  paranoid?: boolean;
  /** Above this share of the source's rows in the change log, a full sync is cheaper. */
  maxChangeShare?: number;
}

/** What an incremental run cost, per table. */
export interface IncrementalTableResult {
  table: string;
  /** Keys from the change log, from cascades, and re-applied for the shadow set. */
  logKeys: number;
  cascadeKeys: number;
  journalKeys: number;
  whole: boolean;
  rowsDeleted: number;
  rowsWritten: number;
  /** Batches of keys whose server-side copy had rows newer than the snapshot, streamed again from it. */
  batchesRepaired: number;
  /** Rows of the mirror after the run. */
  rows: number;
}

export interface IncrementalCost {
  changeLogRows: number;
  keysApplied: number;
  rowsMoved: number;
  /** Key batches copied server-side that met newer rows and were streamed from the snapshot. */
  batchesRepaired: number;
  cascadeRows: number;
  reportKeys: number;
  reportsRebuilt: number;
  primedShadow: boolean;
  /** With `paranoid`: chunks compared with the snapshot, and chunks found different and rewritten. */
  chunksCompared: number;
  chunksRewritten: number;
}

export interface IncrementalResult extends SyncResult {
  incremental: true;
  /** Set when the run did a full sync instead, with the reason. */
  fullSyncReason?: string;
  cost?: IncrementalCost;
  changes?: IncrementalTableResult[];
}

interface LastDetails {
  tables?: { table: string }[];
  reportHashes?: Record<string, string>;
  captureId?: number | null;
  tableIds?: Record<string, string> | null;
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** Above this share of a report's rows changed, the report is built again whole instead. */
const REBUILD_SHARE = 0.25;

/** Why the log can not be trusted for this run, or undefined. Pure. */
export function fullSyncReason(o: {
  captureId: number | null;
  /** Installed trigger fingerprint, and the one the current keys and foreign keys call for. */
  fingerprint?: { installed: string | null; expected: string };
  /** Report fingerprints now, and as the last sync recorded them. */
  reports?: { now: Record<string, string>; last: Record<string, string> | undefined };
  uncapturedWithKey: readonly string[];
  last: { details: LastDetails; ddl: Record<string, string> } | undefined;
  liveGeneration: number | null;
  ddl: Record<string, string>;
  pending: number;
  sourceRows: number;
  maxChangeShare: number;
}): string | undefined {
  if (o.captureId === null) return 'change capture is not installed (run `dualpipe capture install`)';
  if (!o.last) return 'no earlier sync';
  if (o.last.details.captureId !== o.captureId) return 'the last full sync predates the change capture installation';
  if (o.liveGeneration === null) return 'the live report tables carry no generation marker';
  if (o.uncapturedWithKey.length) return `triggers missing on ${o.uncapturedWithKey.join(', ')} (run \`dualpipe capture install\`)`;
  if (o.fingerprint && o.fingerprint.installed !== o.fingerprint.expected) {
    return 'the capture triggers no longer fit the tables\' keys and foreign keys (run `dualpipe capture install`)';
  }
  if (o.reports) {
    const changed = Object.keys(o.reports.now).filter((r) => o.reports!.last?.[r] !== o.reports!.now[r]);
    if (changed.length) return `the definition of report(s) ${changed.join(', ')} changed since the last sync`;
  }
  const before = Object.keys(o.last.ddl).sort();
  const now = Object.keys(o.ddl).sort();
  if (before.join('\u0000') !== now.join('\u0000')) return 'the set of source tables changed';
  const altered = now.filter((t) => normalizeDdl(o.ddl[t]!) !== normalizeDdl(o.last!.ddl[t] ?? ''));
  if (altered.length) return `the definition of ${altered.join(', ')} changed`;
  if (o.pending > Math.max(10_000, o.sourceRows * o.maxChangeShare)) return `${o.pending} changes pending: a full sync is cheaper`;
  return undefined;
}

async function showCreate(conn: SqlConnection, schema: string, table: string): Promise<string> {
  const rows = await conn.query<Record<string, string>>(`SHOW CREATE TABLE ${qualify(schema, table)}`);
  return rows[0]?.['Create Table'] ?? '';
}

export async function runIncrementalSync(o: IncrementalOptions): Promise<IncrementalResult> {
  const log = o.logger ?? silentLogger;
  const clock = o.clock ?? (() => new Date());
  const started = clock();
  const rep = o.reportSchema;
  const src = o.sourceSchema;
  const lock = await acquireRunLock(o.report, lockName('sync', rep), { waitSeconds: o.waitForLockSeconds ?? 0 });
  const admin = await o.report.connect({ database: null });
  let snap: SqlConnection | undefined;
  let copier: SqlConnection | undefined;
  let runId: number | null = null;
  // Report refreshes run on their own sessions: a failed run waits for them before it lets go of the lock.
  const pendingReports: Promise<unknown>[] = [];
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
    const tableIds = await withSession(o.source, (c) => readTableIds(c, src));
    snap = await openSnapshot(o.source);
    const all = await sourceTables(snap, src);
    const metas = all;
    if (o.include?.length || o.exclude?.length) return await full('--tables limits a run to some tables: incremental runs cover them all');
    const capture = await readCapture(snap, src, metas);
    const ddl: Record<string, string> = {};
    for (const m of metas) ddl[m.name] = await showCreate(snap, src, m.name);
    await admin.execute(`CREATE DATABASE IF NOT EXISTS ${quoteId(rep)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    // Multi-table DELETE resolves its target alias against the default schema (MariaDB).
    await admin.execute(`USE ${quoteId(rep)}`);
    await ensureHistoryTable(admin, rep);
    const last = await lastSucceededSync(admin, rep);
    const live = await readGeneration(admin, rep, GENERATION_TABLE);
    const pending = capture.installed ? await countChanges(snap, src) : 0;
    const fks = await readForeignKeys(snap, src);
    const reportDefs = (o.reports ?? loadReportDefinitions()).filter((d) => d.dependsOn.every((t) => metas.some((m) => m.name === t)));
    const reason = fullSyncReason({
      captureId: capture.captureId,
      fingerprint: { installed: capture.fingerprint, expected: fingerprintOf(captureTriggers(src, metas, fks)) },
      reports: { now: reportFingerprints(reportDefs), last: ((last?.details ?? {}) as LastDetails).reportHashes },
      uncapturedWithKey: capture.uncaptured.filter((u) => !u.why.startsWith('no primary key')).map((u) => u.table),
      last: last ? { details: (last.details ?? {}) as LastDetails, ddl: ((last.sourceState ?? {}) as Partial<SourceState>).ddl ?? {} } : undefined,
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
    const server = await readServerInfo(snap);
    const binlog = await readSnapshotBinlog(snap, server);
    const sourceState: SourceState = {
      schema: src,
      serverVersion: server.version,
      ddl,
      migrations: await readMigrations(snap, src),
      binlog: binlog.binlog,
      ...(binlog.note ? { binlogNote: binlog.note } : {}),
    };
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
    const cascades = await deriveCascades(admin, rep, byName, fks, changes.keys);
    for (const t of cascades.whole) whole.add(t);

    await markAbandonedRuns(admin, rep, 'sync', started);
    await cleanupLeftovers(admin, rep);
    runId = await startRun(admin, rep, { kind: 'sync', strategy: 'incremental', startedAt: started });
    await ensureJournal(admin, rep);

    // --- the shadow set: one generation behind, or copied afresh ---
    const reports = reportDefs;
    const liveTables = [...metas.map((m) => m.name), ...reports.map((r) => r.name)];
    const shadow = await readGeneration(admin, rep, shadowName(GENERATION_TABLE));
    const present = new Set(
      (await admin.query<{ t: string }>('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [rep])).map((r) => r.t),
    );
    const primed = !shadow || shadow.dirty || shadow.runId > live!.runId || liveTables.some((t) => !present.has(shadowName(t)));
    if (primed) {
      log.info({ reason: shadow?.dirty ? 'dirty' : 'missing' }, 'copying the live tables into the shadow set');
      const live2 = new Map((await discoverTables(admin, rep, { engine: 'MyISAM' })).map((m) => [m.name, m]));
      const list = liveTables.map((t) => {
        const meta = live2.get(t);
        if (!meta) throw new StepError('copying the shadow set', t, { cause: new Error('the live table is missing: run a full `dualpipe sync`') });
        return { name: t, columns: writableColumns(meta).map((c) => c.name) };
      });
      await primeShadowSet(o.report, admin, rep, list, live!, Math.max(1, o.threads ?? 2));
    }
    const shadowGen = primed ? live!.runId : shadow!.runId;
    const journal = primed ? new Map<string, KeySet>() : await readJournal(admin, rep, shadowGen, live!.runId);

    // This run's own keys (journaled for the next run) and what the shadow needs (plus the journal).
    const own = new Map<string, KeySet>();
    for (const source of [changes.keys, cascades.derived]) {
      for (const [t, set] of source) for (const [k, v] of set) if (byName.has(t)) addKey(own, t, k, v.removed);
    }
    for (const t of whole) addKey(own, t, WHOLE_TABLE, false);
    const needWhole = new Set([...whole, ...[...journal].filter(([, set]) => set.has(WHOLE_TABLE)).map(([t]) => t)]);

    // One server: rows are copied server-side by a READ COMMITTED session, checked against the snapshot.
    copier = o.sameServer ? await openCopySession(o.source) : undefined;
    await markShadowDirty(admin, rep, { runId: shadowGen, dirty: true });
    log.info({ changes: changes.rows, cascaded: cascades.rows, whole: [...needWhole] }, 'incremental: applying changes to the shadow set');
    const incReports = reports.filter((r) => r.incremental && !r.dependsOn.some((d) => needWhole.has(d)));
    const rebuilt = reports.filter((r) => !incReports.includes(r));
    for (const r of incReports) await createReportKeys(admin, rep, r);

    const repaired = new Set<string>();
    // Reports are independent of each other: refreshed in parallel, each on its own session.
    const rebuiltNow = new Set<string>();
    let reportKeys = 0;
    const limit = pLimit(Math.max(1, o.threads ?? 2));
    const refreshReport = (def: (typeof reports)[number]) =>
        limit(async (): Promise<SyncResult['reports'][number]> => {
          const conn = await o.report.connect({ database: rep });
          try {
            await prepareSession(conn);
            const t0 = Date.now();
            let whole = rebuilt.includes(def) || def.dependsOn.some((d) => repaired.has(d));
            let keys = 0;
            if (!whole) {
              await collectQueryKeys(conn, rep, def, changedTables);
              keys = await countReportKeys(conn, rep, def);
              // Recomputing most of a report key by key costs more than building it again.
              if (keys > (await countRows(conn, rep, shadowName(def.name))) * REBUILD_SHARE) whole = true;
            }
            if (whole) {
              rebuiltNow.add(def.name);
              await rebuildReport(conn, rep, def);
            } else if (keys) {
              reportKeys += keys;
              const written = await refreshKeys(conn, rep, def);
              log.debug({ report: def.name, ...written }, `incremental: ${def.name} rows rewritten`);
            }
            log.debug({ report: def.name, keys, whole, ms: Date.now() - t0 }, `incremental: ${def.name} refreshed`);
            return { name: def.name, rows: await countRows(conn, rep, shadowName(def.name)), seconds: (Date.now() - t0) / 1000 };
          } finally {
            await conn.close();
          }
        });
    // A report starts as soon as the mirrors it reads are written, overlapping the rest (with
    // --paranoid, after the check, which may rebuild it).
    const reportTasks = new Map<string, Promise<SyncResult['reports'][number]>>();
    const applied = new Set<string>();
    const startReports = (all: boolean) => {
      for (const def of reports) {
        if (reportTasks.has(def.name) || (!all && (o.paranoid || !def.dependsOn.every((d) => applied.has(d))))) continue;
        const task = refreshReport(def);
        task.catch(() => {});
        pendingReports.push(task);
        reportTasks.set(def.name, task);
      }
    };

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
        Object.assign(r, await applyWholeTable(snap, admin, { sourceSchema: src, reportSchema: rep, meta }));
      } else if (keys.size) {
        const list = [...keys];
        changedTables.add(meta.name);
        const t = [Date.now()];
        await fillChangedKeys(admin, rep, meta, list);
        t.push(Date.now());
        for (const def of incReports) await collectRowKeys(admin, rep, def, meta);
        t.push(Date.now());
        Object.assign(r, await applyKeys(snap, admin, { sourceSchema: src, reportSchema: rep, meta, keys: list, copier, onTiming: (w, ms) => log.debug({ table: meta.name, [w]: ms }, 'incremental: step') }));
        t.push(Date.now());
        for (const def of incReports) await collectRowKeys(admin, rep, def, meta);
        t.push(Date.now());
        log.debug({ table: meta.name, fillMs: t[1]! - t[0]!, oldKeysMs: t[2]! - t[1]!, applyMs: t[3]! - t[2]!, newKeysMs: t[4]! - t[3]! }, 'incremental: table timings');
      }
      const n = await admin.query<{ n: string | number }>(`SELECT COUNT(*) AS n FROM ${qualify(rep, shadowName(meta.name))}`);
      r.rows = Number(n[0]?.n ?? 0);
      results.push(r);
      if (keys.size || r.whole) log.info({ table: meta.name, deleted: r.rowsDeleted, written: r.rowsWritten }, `incremental: ${meta.name} applied`);
      applied.add(meta.name);
      startReports(false);
      o.onProgress?.({ item: 'tables', done: results.length, total: metas.length });
    }
    let chunksCompared = 0;
    let chunksRewritten = 0;
    if (o.paranoid) {
      for (const meta of metas) {
        const scheme = await schemeForTable(snap, src, meta, o.chunkRows ?? 20_000);
        const want = await checksumChunks(snap, src, meta.name, meta, scheme);
        const have = await checksumChunks(admin, rep, shadowName(meta.name), meta, scheme);
        chunksCompared += new Set([...want.keys(), ...have.keys()]).size;
        const differing = diffChunks(want, have);
        if (!differing.length) continue;
        chunksRewritten += differing.length;
        repaired.add(meta.name);
        const where = chunkCondition(scheme, differing);
        await admin.execute(`DELETE FROM ${qualify(rep, shadowName(meta.name))} WHERE ${where}`);
        const cols = writableColumns(meta).map((c) => c.name);
        await copyRows(snap, admin, { schema: src, table: meta.name }, { schema: rep, table: shadowName(meta.name) }, cols, where);
        // The other copy has the same drift: the next run copies this table whole into it.
        addKey(own, meta.name, WHOLE_TABLE, false);
        log.warn({ table: meta.name, chunks: differing.length }, 'incremental: chunks differed from the snapshot and were rewritten');
      }
    }
    // Every shadow mirror equals the snapshot: let InnoDB purge again.
    await copier?.close();
    copier = undefined;
    await snap.execute('COMMIT').catch(() => {});
    await snap.close();
    snap = undefined;
    const mirrorsSeconds = (clock().getTime() - started.getTime()) / 1000;
    startReports(true);
    const reportResults = await Promise.all(reports.map((def) => reportTasks.get(def.name)!));

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
    try {
      const consumer = await o.source.connect();
      try {
        await consumeChanges(consumer, src, changes.ranges);
      } finally {
        await consumer.close();
      }
    } catch (error) {
      // The run is published; unconsumed rows are only applied again (harmless) by the next run.
      const text = error instanceof Error ? error.message : String(error);
      notes.push(`the change log could not be trimmed (${text}): grant the sync account DELETE on ${src}.__dp_changes`);
      log.warn({ error: text }, 'incremental: could not delete the consumed change-log rows');
    }
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
      chunksCompared,
      chunksRewritten,
    };
    const result: IncrementalResult = {
      runId,
      dryRun: false,
      strategy: 'swap',
      mode: o.sameServer ? 'server-side' : 'streamed',
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
    await Promise.allSettled(pendingReports);
    await recordFailedRun(admin, rep, runId, error, clock());
    throw error;
  } finally {
    await admin.close();
    await lock.release().catch(() => {});
  }
}
