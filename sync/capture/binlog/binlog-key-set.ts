/**
 * The primary-key tuples seen per table: what key capture keeps of a row change, never the row.
 * A tuple is deduplicated by an exact encoding of its values (bytes, not collation: two keys a
 * case-insensitive collation calls equal are both kept, which costs a re-read, never a miss).
 */
import type { RowImage } from './binlog-event-stream.js';

/** A primary-key tuple: the key columns' values in key order, as the binlog client decoded them. */
export type KeyTuple = readonly unknown[];

const encode = (tuple: KeyTuple): string =>
  JSON.stringify(tuple, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

/** Keys per table, each tuple once. */
export class KeySets {
  private readonly sets = new Map<string, Map<string, KeyTuple>>();

  /** Adds `tuple` to `table`'s set. */
  add(table: string, tuple: KeyTuple): void {
    let set = this.sets.get(table);
    if (!set) this.sets.set(table, (set = new Map<string, KeyTuple>()));
    const k = encode(tuple);
    if (!set.has(k)) set.set(k, tuple);
  }

  /** Adds every key of `other` (a committed transaction's keys). */
  merge(other: KeySets): void {
    for (const [table, set] of other.sets) for (const tuple of set.values()) this.add(table, tuple);
  }

  /** Number of distinct keys over all tables. */
  get size(): number {
    let n = 0;
    for (const set of this.sets.values()) n += set.size;
    return n;
  }

  /** The keys per table, tables with none left out. */
  toMap(): Map<string, KeyTuple[]> {
    return new Map([...this.sets].map(([table, set]) => [table, [...set.values()]]));
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
