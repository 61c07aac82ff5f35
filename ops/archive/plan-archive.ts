/**
 * Which tables an archive of one root table touches, and in what order: pure, from the foreign
 * keys alone. A root row's dependents are the rows reachable through ON DELETE CASCADE keys at any
 * depth (rows a plain DELETE of the root would remove anyway); the keys with any other ON DELETE
 * rule that point into those tables are the "blockers": a live row outside a subject referencing
 * one of its rows through one would make the delete fail (RESTRICT, NO ACTION) or silently null
 * the live row's reference (SET NULL), so such a subject is kept instead (find-kept.ts).
 */
import type { ForeignKey } from '../../src/catalog/foreign-keys.js';
import { UsageError } from '../../src/errors.js';

/** The tables and keys of an archive run. */
export interface ArchivePlan {
  root: string;
  /** Every table a subject can have rows in, parents first (the copy order). */
  tables: string[];
  /** The same tables, children first (the delete order). */
  deleteOrder: string[];
  /** ON DELETE CASCADE keys among `tables`, parent → child: how dependents are found. */
  edges: ForeignKey[];
  /** Keys with another ON DELETE rule whose parent is in `tables`: a live referrer keeps a subject. */
  blockers: ForeignKey[];
  /** Per table of `tables`: the columns the walk reads (primary key, then key columns of edges and blockers). */
  columns: Map<string, string[]>;
}

/** Plans an archive of `root` given the schema's foreign keys and each table's primary key. */
export function planArchive(root: string, fks: readonly ForeignKey[], primaryKeys: ReadonlyMap<string, readonly string[]>): ArchivePlan {
  const cascade = fks.filter((fk) => fk.onDelete === 'CASCADE');
  // Breadth-first from the root: depth decides the order when cascade keys form a cycle.
  const depth = new Map<string, number>([[root, 0]]);
  for (let queue = [root]; queue.length > 0; ) {
    const next: string[] = [];
    for (const t of queue)
      for (const fk of cascade)
        if (fk.parent === t && !depth.has(fk.child)) {
          depth.set(fk.child, depth.get(t)! + 1);
          next.push(fk.child);
        }
    queue = next;
  }
  const inClosure = (t: string) => depth.has(t);
  const edges = cascade.filter((fk) => inClosure(fk.parent));
  const blockers = fks.filter((fk) => fk.onDelete !== 'CASCADE' && inClosure(fk.parent));
  const tables = topoOrder([...depth.keys()], edges, depth);
  const columns = new Map<string, string[]>();
  for (const t of tables) {
    const pk = primaryKeys.get(t);
    if (!pk || pk.length === 0) throw new UsageError(`archive: table ${t} has no primary key`, { hint: 'archiving moves rows by key: give the table a primary key' });
    const cols = new Set(pk);
    for (const fk of [...edges, ...blockers]) {
      if (fk.child === t) fk.columns.forEach((c) => cols.add(c));
      if (fk.parent === t) fk.referenced.forEach((c) => cols.add(c));
    }
    columns.set(t, [...cols]);
  }
  return { root, tables, deleteOrder: [...tables].reverse(), edges, blockers, columns };
}

/**
 * Parents before children (Kahn's order over the cascade keys, self-references ignored); when the
 * keys form a cycle, the table nearest the root goes first and the cycle is broken there. Deleting
 * a cycle's rows in any order works: the cascade removes what an earlier statement's rows held.
 */
function topoOrder(tables: string[], edges: readonly ForeignKey[], depth: ReadonlyMap<string, number>): string[] {
  const parents = new Map(tables.map((t) => [t, new Set<string>()]));
  for (const e of edges) if (e.child !== e.parent) parents.get(e.child)!.add(e.parent);
  const order: string[] = [];
  const left = new Set(tables);
  while (left.size > 0) {
    const ready = [...left].filter((t) => [...parents.get(t)!].every((p) => !left.has(p)));
    const pick = (ready.length > 0 ? ready : [...left]).sort((a, b) => depth.get(a)! - depth.get(b)! || (a < b ? -1 : 1))[0]!;
    order.push(pick);
    left.delete(pick);
  }
  return order;
}
