import type { SqlConnection } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import { checksumChunks } from '../../src/rows/checksum-chunks.js';
import { type ChunkSum, chunkCondition, diffChunks } from '../../src/rows/chunk-sql.js';
import { copyRows } from '../../src/rows/copy-rows.js';
import { combineChunkSums } from '../../src/rows/content-checksum.js';
import type { TablePlan } from './plan-sync.js';
import { type ChunkScheme, writableColumns } from '../../src/catalog/table-meta.js';
import { notePhase } from '../../src/guard/run-watch.js';

/** What one table's sync did, as stored in the run history. */
export interface TableSyncResult {
  table: string;
  rows: number;
  chunks: number;
  chunksRepaired: number;
  rowsRepaired: number;
  seconds: number;
  /** Content checksum of the mirror (= the snapshot), when the run computed chunk sums. */
  checksum?: string;
}

/**
 * What syncing one table needs: its plan and chunk scheme, the schemas, a worker session, and the
 * snapshot it shares with the other tables.
 */
export interface TableSyncContext {
  plan: TablePlan;
  scheme: ChunkScheme;
  sourceSchema: string;
  reportSchema: string;
  /** Session for this table's copy, mirror checksum and repair writes. */
  worker: SqlConnection;
  /** The source checksums as of the snapshot (computed concurrently). */
  sourceSums: Promise<Map<string, ChunkSum>>;
  /** Runs a function on the single snapshot session, one at a time. */
  onSnapshot: <T>(fn: (snapshot: SqlConnection) => Promise<T>) => Promise<T>;
  /** Throws when the run was interrupted. */
  throwIfAborted: () => void;
}

/** Streams the table's rows (those matching `where`) from the snapshot into its new mirror. */
function copyFromSnapshot(ctx: TableSyncContext, where?: string): Promise<number> {
  const columns = writableColumns(ctx.plan.meta);
  return ctx.onSnapshot((snap) =>
    copyRows(
      snap,
      ctx.worker,
      { schema: ctx.sourceSchema, table: ctx.plan.table },
      { schema: ctx.reportSchema, table: ctx.plan.temp },
      columns,
      where,
    ),
  );
}

/**
 * Server-side copy of one table, then the repair pass that makes it equal the snapshot: the copy
 * ran under READ COMMITTED (no row locks, but it sees commits made after the snapshot), so chunks
 * whose checksums differ from the snapshot's are deleted and rewritten from the snapshot.
 */
export async function syncTableServerSide(ctx: TableSyncContext): Promise<TableSyncResult> {
  const { plan, scheme, worker } = ctx;
  const started = Date.now();
  notePhase(`copying ${ctx.sourceSchema}.${plan.table}`);
  await worker.execute(plan.copySql!);
  ctx.throwIfAborted();
  const [sourceSums, mirrorSums] = await Promise.all([
    ctx.sourceSums,
    checksumChunks(worker, ctx.reportSchema, plan.temp, plan.meta, scheme),
  ]);
  ctx.throwIfAborted();
  const differing = diffChunks(sourceSums, mirrorSums);
  let rowsRepaired = 0;
  if (differing.length > 0) {
    const where = chunkCondition(scheme, plan.meta, differing);
    await worker.execute(`DELETE FROM ${qualify(ctx.reportSchema, plan.temp)} WHERE ${where}`);
    rowsRepaired = await copyFromSnapshot(ctx, where);
  }
  await worker.execute(plan.enableKeysSql);
  const total = combineChunkSums(sourceSums.values());
  return {
    table: plan.table,
    rows: total.rows,
    checksum: total.checksum,
    chunks: sourceSums.size,
    chunksRepaired: differing.length,
    rowsRepaired,
    seconds: (Date.now() - started) / 1000,
  };
}

/** Cross-server copy: every row streams from the snapshot into the report server. */
export async function syncTableStreamed(ctx: TableSyncContext): Promise<TableSyncResult> {
  const { plan, worker } = ctx;
  const started = Date.now();
  notePhase(`copying ${ctx.sourceSchema}.${plan.table}`);
  const rows = await copyFromSnapshot(ctx);
  await worker.execute(plan.enableKeysSql);
  return {
    table: plan.table,
    rows,
    chunks: 1,
    chunksRepaired: 0,
    rowsRepaired: 0,
    seconds: (Date.now() - started) / 1000,
  };
}

/** Row count of a built table (MyISAM keeps it, so this is instant). */
export async function countRows(conn: SqlConnection, schema: string, table: string): Promise<number> {
  const r = await conn.query<{ n: string | number }>(`SELECT COUNT(*) AS n FROM ${qualify(schema, table)}`);
  return Number(r[0]?.n ?? 0);
}
