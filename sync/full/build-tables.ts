/**
 * The build phase of a sync: every mirror and report of the plan under its temporary name.
 * Mirrors copy in parallel, largest first; each report starts as soon as the mirrors it reads are
 * done, so a slow report (a FULLTEXT index) overlaps with the remaining copies. Nothing here is
 * visible to analysts until the publish step.
 */
import pLimit from 'p-limit';
import type { SqlConnection, SqlConnector } from '../../src/db/connection.js';
import { AbortedError, StepError } from '../../src/errors.js';
import type { Logger } from '../../src/log/logger.js';
import { checksumChunks, schemeForTable } from '../../src/rows/checksum-chunks.js';
import type { ReportPlan, SyncPlan } from './plan-sync.js';
import { openCopySession, prepareSession } from '../../src/db/sessions.js';
import { countRows, syncTableServerSide, syncTableStreamed, type TableSyncResult } from './sync-table.js';
import type { ChunkScheme } from '../../src/catalog/table-meta.js';
import { notePhase } from '../../src/guard/run-watch.js';

/** One report built: its rows and how long it took. */
export interface ReportBuildResult {
  name: string;
  rows: number;
  seconds: number;
}

/**
 * What `buildTables` needs: the plan, both servers, the snapshot session, and the run's limits and
 * hooks.
 */
export interface BuildContext {
  plan: SyncPlan;
  source: SqlConnector;
  report: SqlConnector;
  /** The consistent snapshot session; used one call at a time. */
  snapshot: SqlConnection;
  /**
   * Mirrors copied at once (server-side copies only: streamed ones share the one snapshot session
   * and go one by one), and reports built at once.
   */
  threads: number;
  /** About how many rows a checksum chunk holds. */
  chunkRows: number;
  log: Logger;
  /** Throws when the run was interrupted; called before each mirror and report. */
  throwIfAborted: () => void;
  /** Waits while the server is too busy (the run's throttle); called before each mirror and report. */
  pace?: () => Promise<void>;
  /** Called once every mirror is built: the snapshot is no longer needed. */
  onMirrorsDone: () => Promise<void>;
  /** Hears of each mirror built. */
  onProgress?: (event: { item: string; done: number; total: number }) => void;
}

/** The first failure among settled results; a real error wins over an abort it caused. */
function firstFailure(results: PromiseSettledResult<unknown>[]): PromiseRejectedResult | undefined {
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  return failed.find((r) => !(r.reason instanceof AbortedError)) ?? failed[0];
}

async function buildReport(ctx: BuildContext, r: ReportPlan): Promise<ReportBuildResult> {
  await ctx.pace?.();
  ctx.throwIfAborted();
  notePhase(`building report ${r.name}`);
  const conn = await ctx.report.connect({ database: null });
  const t0 = Date.now();
  try {
    await prepareSession(conn);
    for (const sql of r.statements) await conn.execute(sql);
    const rows = await countRows(conn, ctx.plan.reportSchema, r.temp);
    ctx.log.info({ report: r.name, rows }, `report ${r.name} built`);
    return { name: r.name, rows, seconds: (Date.now() - t0) / 1000 };
  } catch (error) {
    if (error instanceof AbortedError) throw error;
    throw new StepError('building report', r.name, { cause: error });
  } finally {
    await conn.close();
  }
}

/** The mirrors and reports a build made, in plan order. */
export interface BuildResult {
  tables: TableSyncResult[];
  reports: ReportBuildResult[];
  /** Wall time until every mirror equalled the snapshot. */
  mirrorsSeconds: number;
}

/**
 * Builds every mirror and report of the plan under its temporary name (see the file header). It
 * returns only when every task has settled, and then throws the first real failure: nothing still
 * runs while the caller cleans up.
 */
export async function buildTables(ctx: BuildContext): Promise<BuildResult> {
  const { plan, snapshot } = ctx;
  const started = Date.now();
  let mirrorsSeconds = 0;
  const onSnapshot = pLimit(1);
  const serverSide = plan.mode === 'server-side';
  const schemes = new Map<string, ChunkScheme>();
  for (const t of plan.tables) {
    schemes.set(t.table, await schemeForTable(snapshot, plan.sourceSchema, t.meta, ctx.chunkRows));
  }
  // Source checksums start at once on the snapshot session and overlap with the copies.
  const sourceSums = new Map(
    serverSide
      ? plan.tables.map((t) => {
          const p = onSnapshot(() =>
            checksumChunks(snapshot, plan.sourceSchema, t.table, t.meta, schemes.get(t.table)!),
          );
          p.catch(() => {});
          return [t.table, p] as const;
        })
      : [],
  );
  const mirrorLimit = pLimit(serverSide ? ctx.threads : 1);
  let done = 0;
  const mirrors = new Map(
    plan.tables.map((t) => [
      t.table,
      mirrorLimit(async () => {
        // A server-side copy is one INSERT … SELECT per table: the table is the unit a throttle can pause between.
        await ctx.pace?.();
        ctx.throwIfAborted();
        const worker = serverSide
          ? await openCopySession(ctx.source)
          : await ctx.report.connect({ database: null });
        try {
          if (!serverSide) await prepareSession(worker);
          const tctx = {
            plan: t,
            scheme: schemes.get(t.table)!,
            sourceSchema: plan.sourceSchema,
            reportSchema: plan.reportSchema,
            worker,
            sourceSums: sourceSums.get(t.table) ?? Promise.resolve(new Map()),
            onSnapshot: <T>(fn: (s: SqlConnection) => Promise<T>) => onSnapshot(() => fn(snapshot)),
            throwIfAborted: ctx.throwIfAborted,
          };
          const r = serverSide ? await syncTableServerSide(tctx) : await syncTableStreamed(tctx);
          ctx.log.info({ ...r }, `mirror ${t.table} built`);
          ctx.onProgress?.({ item: 'mirrors', done: ++done, total: plan.tables.length });
          return r;
        } catch (error) {
          if (error instanceof AbortedError || error instanceof StepError) throw error;
          throw new StepError('syncing', t.table, { cause: error });
        } finally {
          await worker.close();
        }
      }),
    ]),
  );
  for (const p of mirrors.values()) p.catch(() => {});
  const mirrorsSettled = Promise.allSettled(mirrors.values()).then(async (settled) => {
    mirrorsSeconds = (Date.now() - started) / 1000;
    await ctx.onMirrorsDone();
    return settled;
  });
  const reportLimit = pLimit(ctx.threads);
  const reports = plan.reports.map((r) =>
    Promise.all(r.dependsOn.map((d) => mirrors.get(d)!)).then(() => reportLimit(() => buildReport(ctx, r))),
  );
  // A failed mirror rejects the reports reading it at once, long before they are awaited below
  // (after every mirror settles): unhandled, that rejection ends the process, `dualpipe schedule`
  // included (seen when the server was killed mid-sync). The failure is reported by firstFailure.
  for (const p of reports) p.catch(() => {});
  const mirrorResults = await mirrorsSettled;
  const reportResults = await Promise.allSettled(reports);
  const failure = firstFailure([...mirrorResults, ...reportResults]);
  if (failure) throw failure.reason;
  return {
    tables: mirrorResults.map((r) => (r as PromiseFulfilledResult<TableSyncResult>).value),
    reports: reportResults.map((r) => (r as PromiseFulfilledResult<ReportBuildResult>).value),
    mirrorsSeconds,
  };
}
