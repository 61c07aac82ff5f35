/**
 * Which chunks a merge restore reads (pure): those whose recorded key ranges (chunk-key-index.ts)
 * can hold a row it brings back. A chunk is left out only when a recorded range proves it holds
 * no such row; anything not recorded (an older backup, a string column, a filter value that is not
 * an integer) keeps the chunk in.
 */
import { rangeHoldsAny, rangeOverlaps } from '../format/chunk-key-index.js';
import type { ManifestChunk, ManifestTable } from '../format/manifest.js';
import type { FilterCondition, FilterValue } from './where-filter.js';

/** An integer filter value exactly, or undefined when it is anything else (then nothing is pruned by it). */
function exactInteger(v: FilterValue): bigint | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : undefined;
  return /^-?\d{1,30}$/.test(v) ? BigInt(v) : undefined;
}

type Ranges = readonly ([string, string] | null)[] | undefined;

/** The range of `column` recorded in `ranges` (a chunk's or a block's): undefined when not recorded. */
function rangeOf(t: ManifestTable, ranges: Ranges, column: string): [string, string] | null | undefined {
  const k = t.keyColumns?.indexOf(column) ?? -1;
  if (k < 0 || !ranges) return undefined;
  return ranges[k];
}

/** True when `ranges` can hold a row `--where` chooses (see `rootChunks`). */
function rootHolds(t: ManifestTable, ranges: Ranges, conditions: readonly FilterCondition[]): boolean {
  return conditions.every((cond) => {
    const range = rangeOf(t, ranges, cond.column);
    if (range === undefined) return true;
    const values = cond.values.map(exactInteger);
    if (values.some((v) => v === undefined)) return true;
    const exact = values as bigint[];
    if (cond.op === 'BETWEEN') return rangeOverlaps(range, exact[0]!, exact[1]!);
    return rangeHoldsAny(range, sortExact([...exact]));
  });
}

/**
 * The chunks of the root table that can hold a row `--where` chooses: every condition on a
 * recorded column must be satisfiable within the chunk's range (`=`/`IN`: one of the values in it;
 * `BETWEEN`: the interval overlaps it).
 */
export function rootChunks(t: ManifestTable, conditions: readonly FilterCondition[]): ManifestChunk[] {
  return t.chunks.filter((c) => rootHolds(t, c.keyRanges, conditions));
}

/**
 * One foreign key into a dependent table, with the values of its referenced columns on the rows
 * marked in the parent: per column of the key, ascending, or undefined when they are not exact
 * integers (then that column prunes nothing).
 */
export interface MarkedReference {
  columns: readonly string[];
  values: readonly (readonly bigint[] | undefined)[];
}

/** True when `ranges` can hold a row referencing a marked parent row (see `dependentChunks`). */
function dependentHolds(t: ManifestTable, ranges: Ranges, refs: readonly MarkedReference[]): boolean {
  return refs.some((ref) =>
    ref.columns.every((col, i) => {
      const range = rangeOf(t, ranges, col);
      const values = ref.values[i];
      return range === undefined || values === undefined || rangeHoldsAny(range, values);
    }),
  );
}

/**
 * The chunks of a dependent table that can hold a row referencing a marked parent row through one
 * of `refs`: for some key, each of its recorded columns has a marked value within the chunk's range.
 */
export function dependentChunks(t: ManifestTable, refs: readonly MarkedReference[]): ManifestChunk[] {
  return t.chunks.filter((c) => dependentHolds(t, c.keyRanges, refs));
}

/** Which rows a merge wants from a table: the root's `--where` conditions, or a dependent's marked references. */
export type Wanted = { conditions: readonly FilterCondition[] } | { refs: readonly MarkedReference[] };

/**
 * The blocks of `c` (their indexes, ascending) that can hold a wanted row, by the same tests as
 * the chunks; undefined when the chunk records no blocks (then it is read whole).
 */
export function chunkBlocks(t: ManifestTable, c: ManifestChunk, wanted: Wanted): number[] | undefined {
  if (!c.blocks) return undefined;
  const holds = (r: Ranges) => ('conditions' in wanted ? rootHolds(t, r, wanted.conditions) : dependentHolds(t, r, wanted.refs));
  return c.blocks.flatMap((b, k) => (holds(b.keyRanges) ? [k] : []));
}

/** Sorts exact integers ascending (bigint has no default numeric sort). */
export function sortExact(values: bigint[]): bigint[] {
  return values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
