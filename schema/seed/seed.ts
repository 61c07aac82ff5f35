/**
 * `dualpipe seed`: fills an empty, migrated CRM schema with deterministic sample data. Plans
 * every chunk up front (pure), then loads chunks in parallel, one connection per worker.
 */
import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';
import type { SqlConnection, SqlConnector } from '../../src/db/connection.js';
import { UsageError } from '../../src/errors.js';
import { type Logger, silentLogger } from '../../src/log/logger.js';
import { loadChunk } from './load-chunk.js';
import { type ChunkRange, countsFor, SeedContext } from './plan.js';
import { currentSchema, prepareSchema } from './preflight.js';
import type { TableSeed } from './table-seed.js';
import { CRM_TABLES, SEED_TABLES } from './tables.js';

/** Progress of `seed`, after each loaded chunk. */
export interface SeedProgress {
  /** The table a chunk was just loaded into. */
  table: string;
  /** Rows loaded into that table so far. */
  rows: number;
  /** Rows that table gets in all. */
  totalRows: number;
}

/** Options of `seed`. */
export interface SeedOptions {
  /** 1 ≈ 100,000 contacts and 3 million rows; fractions allowed. */
  scale: number;
  /** Same seed and scale, same rows. Default 1. */
  seed?: number;
  /** Parallel loading connections. Default 2. */
  threads?: number;
  /** Rows per LOAD DATA statement. Default 50,000. */
  chunkRows?: number;
  /** Empty the CRM tables first instead of refusing a schema with data. */
  truncate?: boolean;
  logger?: Logger;
  onProgress?: (progress: SeedProgress) => void;
}

/** The rows `seed` loaded, per table, and how fast. */
export interface SeedResult {
  tables: { table: string; rows: number }[];
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}

interface PlannedChunk {
  seed: TableSeed;
  chunk: ChunkRange;
}

function wholeNumber(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new UsageError(`invalid ${name} ${v}: use a whole number from ${min} to ${max}`);
  }
  return v;
}

/** Validates the options; scale must be a positive finite number. */
export function normalizeSeedOptions(options: SeedOptions) {
  const { scale } = options;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0 || scale > 1000) {
    throw new UsageError(`invalid scale ${scale}: use a positive number up to 1000, such as 1 or 0.1`);
  }
  return {
    scale,
    seed: wholeNumber('seed', options.seed, 1, 0, 2 ** 32 - 1),
    threads: wholeNumber('threads', options.threads, 2, 1, 64),
    chunkRows: wholeNumber('chunk size', options.chunkRows, 50_000, 1, 10_000_000),
    truncate: options.truncate === true,
  };
}

/** Every chunk of every table, parents first, with the row total per table. */
export function planSeed(
  ctx: SeedContext,
  chunkRows: number,
): { chunks: PlannedChunk[]; totals: Map<string, number> } {
  const chunks: PlannedChunk[] = [];
  const totals = new Map<string, number>();
  for (const seed of SEED_TABLES) {
    let total = 0;
    for (const chunk of seed.chunks(ctx, chunkRows)) {
      chunks.push({ seed, chunk });
      total += chunk.rows;
    }
    totals.set(seed.table, total);
  }
  return { chunks, totals };
}

/**
 * Seeds the schema `connector` points at. Refuses a schema with data (UsageError) unless
 * `truncate`. Needs `local_infile=ON` on the server.
 */
export async function seed(connector: SqlConnector, options: SeedOptions): Promise<SeedResult> {
  const opts = normalizeSeedOptions(options);
  const logger = options.logger ?? silentLogger;
  const started = performance.now();
  const conns: SqlConnection[] = [await connector.connect()];
  try {
    const first = conns[0]!;
    const schema = await currentSchema(first);
    await prepareSchema(first, schema, CRM_TABLES, opts.truncate);
    const ctx = new SeedContext(opts.seed, countsFor(opts.scale));
    const { chunks, totals } = planSeed(ctx, opts.chunkRows);
    const rows = [...totals.values()].reduce((a, b) => a + b, 0);
    logger.info({ schema, scale: opts.scale, seed: opts.seed, rows, chunks: chunks.length }, 'seed: start');

    const workers = Math.max(1, Math.min(opts.threads, chunks.length));
    while (conns.length < workers) conns.push(await connector.connect());
    // Parents load first anyway; the checks only slow the bulk load down.
    for (const c of conns) await c.execute('SET SESSION foreign_key_checks = 0, unique_checks = 0');

    const free = [...conns];
    const loaded = new Map<string, number>();
    const limit = pLimit(workers);
    let failure: { error: unknown } | undefined;
    const load = async ({ seed: table, chunk }: PlannedChunk) => {
      if (failure) return; // after the first failure, start nothing new
      const conn = free.pop()!;
      try {
        await loadChunk(conn, {
          schema,
          table: table.table,
          columns: table.columns,
          index: chunk.index,
          rows: chunk.rows,
          generate: () => table.rows(ctx, chunk),
        });
      } catch (error) {
        failure ??= { error };
        return;
      } finally {
        free.push(conn);
      }
      const done = (loaded.get(table.table) ?? 0) + chunk.rows;
      loaded.set(table.table, done);
      logger.debug({ table: table.table, chunk: chunk.index, rows: chunk.rows }, 'seed: chunk loaded');
      options.onProgress?.({ table: table.table, rows: done, totalRows: totals.get(table.table) ?? done });
    };
    await Promise.all(chunks.map((c) => limit(() => load(c))));
    if (failure) {
      const partial = [...loaded.values()].reduce((a, b) => a + b, 0);
      if (partial > 0)
        logger.error(
          { schema, rows: partial },
          'seed: failed after loading part of the data; seed again with truncate',
        );
      throw failure.error;
    }

    const seconds = (performance.now() - started) / 1000;
    const result: SeedResult = {
      tables: SEED_TABLES.map((t) => ({ table: t.table, rows: totals.get(t.table) ?? 0 })),
      rows,
      seconds,
      rowsPerSecond: seconds > 0 ? rows / seconds : rows,
    };
    logger.info(
      { schema, rows, seconds: Number(seconds.toFixed(2)), rowsPerSecond: Math.round(result.rowsPerSecond) },
      'seed: done',
    );
    return result;
  } finally {
    await Promise.all(conns.map((c) => c.close()));
  }
}
