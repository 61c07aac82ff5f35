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

/** The range of `column` recorded for the chunk: undefined when not recorded. */
function rangeOf(t: ManifestTable, c: ManifestChunk, column: string): [string, string] | null | undefined {
  const k = t.keyColumns?.indexOf(column) ?? -1;
  if (k < 0 || !c.keyRanges) return undefined;
  return c.keyRanges[k];
}

/**
 * The chunks of the root table that can hold a row `--where` chooses: every condition on a
 * recorded column must be satisfiable within the chunk's range (`=`/`IN`: one of the values in it;
 * `BETWEEN`: the interval overlaps it).
 */
export function rootChunks(t: ManifestTable, conditions: readonly FilterCondition[]): ManifestChunk[] {
  return t.chunks.filter((c) =>
    conditions.every((cond) => {
      const range = rangeOf(t, c, cond.column);
      if (range === undefined) return true;
      const values = cond.values.map(exactInteger);
      if (values.some((v) => v === undefined)) return true;
      const exact = values as bigint[];
      if (cond.op === 'BETWEEN') return rangeOverlaps(range, exact[0]!, exact[1]!);
      return rangeHoldsAny(range, sortExact([...exact]));
    }),
  );
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

/**
 * The chunks of a dependent table that can hold a row referencing a marked parent row through one
 * of `refs`: for some key, each of its recorded columns has a marked value within the chunk's range.
 */
export function dependentChunks(t: ManifestTable, refs: readonly MarkedReference[]): ManifestChunk[] {
  return t.chunks.filter((c) =>
    refs.some((ref) =>
      ref.columns.every((col, i) => {
        const range = rangeOf(t, c, col);
        const values = ref.values[i];
        return range === undefined || values === undefined || rangeHoldsAny(range, values);
      }),
    ),
  );
}

/** Sorts exact integers ascending (bigint has no default numeric sort). */
export function sortExact(values: bigint[]): bigint[] {
  return values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
