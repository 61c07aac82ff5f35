/**
 * The key index of a backup's chunks: for the integer columns a merge restore follows (primary
 * keys, foreign keys and the columns they reference), each chunk records the least and greatest
 * value it holds (`keyRanges` in the manifest). Chunks are cut in scan order, not key order
 * (dump-table.ts), so a range is what the chunk's rows span; on a MyISAM mirror filled in key order
 * the ranges barely overlap. Only integers: their order is the same in JS and in every server,
 * where a string's order depends on its collation (`'Z' < 'a'` in bytes, not in `_ci`), which a
 * client cannot reproduce exactly, so string keys are not indexed and their chunks are all read.
 */
import { splitTableDdl } from './split-table-ddl.js';

/** MySQL integer types: the only columns whose ranges are recorded. */
const INTEGER = /^(tiny|small|medium|big)?int( unsigned)?$/;

/** True for a column written as plain decimal integer text: an integer type, not hex. */
export function isIntegerColumn(c: { dataType: string; hex: boolean }): boolean {
  return !c.hex && INTEGER.test(c.dataType);
}

/** What `keyColumnsOf` reads of each table of a backup plan. */
export interface KeyIndexTable {
  name: string;
  kind: 'mirror' | 'report' | 'archive';
  ddl: string;
  columns: readonly { name: string; dataType: string; hex: boolean }[];
}

/**
 * The columns whose per-chunk ranges a backup records, per mirror table: its integer primary key,
 * foreign key and referenced columns, in the table's column order. A table whose DDL does not
 * parse, and a report table, get none.
 */
export function keyColumnsOf(tables: readonly KeyIndexTable[]): Map<string, string[]> {
  const wanted = new Map<string, Set<string>>();
  const want = (table: string, cols: readonly string[]) => {
    const s = wanted.get(table) ?? new Set<string>();
    for (const c of cols) s.add(c);
    wanted.set(table, s);
  };
  for (const t of tables) {
    if (t.kind !== 'mirror') continue;
    let parsed;
    try {
      parsed = splitTableDdl(t.name, t.ddl, { defer: false });
    } catch {
      continue;
    }
    const primary = /^\s+PRIMARY KEY \((.*)\)/m.exec(t.ddl)?.[1] ?? '';
    want(t.name, [...primary.matchAll(/`((?:[^`]|``)+)`/g)].map((m) => m[1]!.replaceAll('``', '`')));
    for (const fk of parsed.foreignKeys) {
      want(t.name, fk.columns);
      want(fk.refTable, fk.refColumns);
    }
  }
  const out = new Map<string, string[]>();
  for (const t of tables) {
    if (t.kind !== 'mirror') continue;
    const s = wanted.get(t.name) ?? new Set<string>();
    out.set(
      t.name,
      t.columns.filter((c) => s.has(c.name) && isIntegerColumn(c)).map((c) => c.name),
    );
  }
  return out;
}

/** True when some value of `sorted` (ascending, exact) lies within the chunk range `[lo, hi]`. */
export function rangeHoldsAny(range: readonly [string, string] | null, sorted: readonly bigint[]): boolean {
  if (range === null || sorted.length === 0) return false;
  const lo = BigInt(range[0]);
  const hi = BigInt(range[1]);
  // The first value >= lo, by binary search; the chunk can hold it when it is <= hi.
  let a = 0;
  let b = sorted.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (sorted[m]! < lo) a = m + 1;
    else b = m;
  }
  return a < sorted.length && sorted[a]! <= hi;
}

/** True when the chunk range `[lo, hi]` and the interval `[from, to]` overlap. */
export function rangeOverlaps(range: readonly [string, string] | null, from: bigint, to: bigint): boolean {
  if (range === null) return false;
  return BigInt(range[0]) <= to && from <= BigInt(range[1]);
}
