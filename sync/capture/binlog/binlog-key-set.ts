/**
 * The primary-key tuples seen per table: what key capture keeps of a row change, never the row.
 * A tuple is deduplicated by an exact encoding of its values (bytes, not collation: two keys a
 * case-insensitive collation calls equal are both kept, which costs a re-read, never a miss).
 */
import type { BinlogItem, RowImage } from './binlog-event-stream.js';

/** A primary-key tuple: the key columns' values in key order, as the binlog client decoded them. */
export type KeyTuple = readonly unknown[];

const encode = (tuple: KeyTuple): string =>
  JSON.stringify(tuple, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

/** One table's keys: single-number keys in a Set of numbers (about 10x smaller than a tuple and its encoding), others by encoding. */
interface TableKeys {
  numbers: Set<number>;
  tuples: Map<string, KeyTuple>;
}

/** Keys per table, each tuple once. Holds keys only, never rows: memory grows with distinct changed keys. */
export class KeySets {
  private readonly sets = new Map<string, TableKeys>();

  /** Adds `tuple` to `table`'s set. */
  add(table: string, tuple: KeyTuple): void {
    let set = this.sets.get(table);
    if (!set) this.sets.set(table, (set = { numbers: new Set(), tuples: new Map<string, KeyTuple>() }));
    const only = tuple.length === 1 ? tuple[0] : undefined;
    if (typeof only === 'number') {
      set.numbers.add(only);
      return;
    }
    const k = encode(tuple);
    if (!set.tuples.has(k)) set.tuples.set(k, tuple);
  }

  /**
   * Adds every key of `other` (a committed transaction's keys), emptying it. A table this set does
   * not hold yet takes `other`'s set as it is, so one huge transaction is never held twice.
   */
  merge(other: KeySets): void {
    for (const [table, theirs] of other.sets) {
      const mine = this.sets.get(table);
      if (!mine) {
        this.sets.set(table, theirs);
        continue;
      }
      for (const n of theirs.numbers) mine.numbers.add(n);
      for (const [k, tuple] of theirs.tuples) if (!mine.tuples.has(k)) mine.tuples.set(k, tuple);
    }
    other.sets.clear();
  }

  /** Number of distinct keys over all tables. */
  get size(): number {
    return this.sizeExcept();
  }

  /** Number of distinct keys over the tables in none of `skip`. */
  sizeExcept(...skip: ReadonlySet<string>[]): number {
    let n = 0;
    for (const [table, set] of this.sets) if (!skip.some((s) => s.has(table))) n += set.numbers.size + set.tuples.size;
    return n;
  }

  /** The keys per table, tables with none left out. */
  toMap(): Map<string, KeyTuple[]> {
    return new Map([...this.sets].map(([table, set]) => [table, [...[...set.numbers].map((n) => [n]), ...set.tuples.values()]]));
  }
}

/** The key of a row image: the primary-key columns' values, in key order. */
export function keyOf(image: RowImage, primaryKey: readonly string[]): KeyTuple {
  return primaryKey.map((c) => image[c] ?? null);
}

/**
 * The key of an update's after image. With binlog_row_image=MINIMAL the after image holds only the
 * changed columns (the others decode as null), so an unchanged key column comes from the before
 * image; a key column is never NULL, so null always means "not logged".
 */
export function afterKeyOf(before: RowImage, after: RowImage, primaryKey: readonly string[]): KeyTuple {
  return primaryKey.map((c) => after[c] ?? before[c] ?? null);
}

/**
 * Adds the keys of a rows event: inserted and deleted rows' keys, both images' keys of an update,
 * and into `removed` those that may have lost rows referencing them.
 */
export function addRowKeys(into: KeySets, removed: KeySets, item: Extract<BinlogItem, { kind: 'rows' }>, pk: readonly string[], referenced: readonly string[]): void {
  if (item.op === 'update') {
    for (const { before, after } of item.rows) {
      const old = keyOf(before, pk);
      const now = afterKeyOf(before, after, pk);
      into.add(item.table, old);
      into.add(item.table, now);
      // Bytes, not collation: InnoDB passes a case-only change of a key on to children. A table whose
      // non-key columns are referenced counts every update: a MINIMAL image (binlog_row_image is a
      // session setting) cannot tell such a column unchanged from one set to NULL.
      if (referenced.length > 0 || !sameValues(old, now)) {
        removed.add(item.table, old);
        removed.add(item.table, now);
      }
    }
  } else {
    for (const row of item.rows) {
      const key = keyOf(row, pk);
      into.add(item.table, key);
      removed.add(item.table, key);
    }
  }
}

const sameValue = (a: unknown, b: unknown): boolean =>
  Buffer.isBuffer(a) && Buffer.isBuffer(b) ? a.equals(b) : a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b;
const sameValues = (a: readonly unknown[], b: readonly unknown[]): boolean => a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
