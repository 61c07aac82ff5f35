/** The contract each generated table fulfils, and builders for root and child tables. */
import { type ChunkRange, type Fanout, fanoutChunks, rootChunks, type SeedContext } from './plan.js';
import type { Field } from './tsv.js';

/** One table the seeder fills. */
export interface TableSeed {
  readonly table: string;
  /** Loaded columns in row order (server-defaulted and generated columns are left out). */
  readonly columns: readonly string[];
  /** Splits the table into chunks of about `chunkRows` rows. */
  chunks(ctx: SeedContext, chunkRows: number): ChunkRange[];
  /** The rows of one chunk, generated lazily. */
  rows(ctx: SeedContext, chunk: ChunkRange): Iterable<Field[]>;
}

/** A table with ids 1..count whose row `id` depends only on (seed, id). */
export function rootTable(
  table: string,
  columns: readonly string[],
  count: (ctx: SeedContext) => number,
  row: (ctx: SeedContext, id: number) => Field[],
): TableSeed {
  return {
    table,
    columns,
    chunks: (ctx, chunkRows) => rootChunks(count(ctx), chunkRows),
    *rows(ctx, chunk) {
      for (let id = chunk.firstId; id < chunk.firstId + chunk.rows; id++) yield row(ctx, id);
    },
  };
}

/**
 * A table whose rows hang off a parent: `children(ctx, parentId, firstId, count)` returns the
 * `count` rows of one parent, with ids from `firstId`.
 */
export function childTable(
  table: string,
  columns: readonly string[],
  fanoutOf: (ctx: SeedContext) => Fanout,
  children: (ctx: SeedContext, parentId: number, firstId: number, count: number) => Field[][],
): TableSeed {
  return {
    table,
    columns,
    chunks: (ctx, chunkRows) => fanoutChunks(fanoutOf(ctx), chunkRows),
    *rows(ctx, chunk) {
      const counts = fanoutOf(ctx).counts;
      let id = chunk.firstId;
      for (let parent = chunk.firstParent; parent < chunk.endParent; parent++) {
        const n = counts[parent - 1] ?? 0;
        if (n === 0) continue;
        yield* children(ctx, parent, id, n);
        id += n;
      }
    },
  };
}
