/**
 * Cascaded foreign-key actions fire no triggers (and are absent from the binlog on MariaDB and
 * MySQL up to 8.4), so the change log never names the child rows a cascade deleted or changed.
 * They are derived here, by looking up in the live mirrors (the previous snapshot, "M") the
 * children of every key that may have lost them, and so on down the graph (contact →
 * transaction → transaction item). Their rows are then fetched again from the new snapshot
 * ("N"): gone rows are deleted, SET NULL rows come back with NULL.
 *
 * Which keys may have lost children in M: a cascade reaches a child row Y of M only through the
 * row X of M that Y referenced, when X was deleted or its referenced key changed; and X was
 * - deleted or re-keyed by a logged statement: logged 'D' (the update trigger logs the old key
 *   'D' when the key or a referenced column changes, byte for byte);
 * - deleted by a cascade from a parent that X referenced at that moment: either its parent in M
 *   (X is then derived from that parent, recursively), or a parent X was moved to by a logged
 *   UPDATE (X is then logged, and found here because it is absent from N: the case of a child
 *   re-parented and then cascaded away, whose grandchildren no log names and no mirror join from
 *   the deleted parent reaches);
 * - deleted by a cascade and its key taken again later: by an INSERT or a key change, both
 *   logged 'I', which is why 'I' keys count as possibly removed too;
 * - re-keyed by ON UPDATE CASCADE of its own foreign key: derived from its parent, and looked up
 *   again when that foreign key holds columns X's children reference.
 * So the keys whose M-children are looked up are: logged 'D' and 'I' keys, changed keys (logged
 * or derived) that N no longer has, derived keys a cascade removes, and derived keys re-keyed.
 * Looking up too many keys only costs a join that finds nothing; the order of the statements
 * in the interval does not matter, since every case ends in one of these.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { keyJsonSql } from './capture-sql.js';
import { addKey, canonicalKey, type KeySet } from './change-log.js';
import { changesChildren, type ForeignKey } from '../../src/catalog/foreign-keys.js';
import { batches } from '../../src/batches.js';
import { keyInSql } from './key-sql.js';
import type { TableMeta } from '../../src/catalog/table-meta.js';

/** The keys among `keys` that the snapshot has no row for. */
async function absentKeys(snap: SqlConnection, schema: string, meta: TableMeta, keys: readonly string[]): Promise<string[]> {
  const present = new Set<string>();
  for (const batch of batches(keys, 500)) {
    for (const r of await snap.query<{ k: string }>(
      `SELECT ${keyJsonSql(meta, '__dp_t')} AS k FROM ${qualify(schema, meta.name)} AS __dp_t WHERE ${keyInSql(meta, '__dp_t', batch)}`,
    )) {
      present.add(canonicalKey(String(r.k), meta.name));
    }
  }
  // Key texts that the server collates as equal but print differently count as absent: looking
  // up their children once more is harmless.
  return keys.filter((k) => !present.has(k));
}

/** One foreign key whose action changes child rows without firing their triggers. */
export interface CascadeRule {
  /** The foreign key's name. */
  fk: string;
  parent: string;
  child: string;
  /** Child columns, and the parent columns they reference, in key order. */
  columns: readonly string[];
  referenced: readonly string[];
  onDelete: ForeignKey['onDelete'];
  onUpdate: ForeignKey['onUpdate'];
  /** A child it reaches is removed: deleted by the cascade, or its primary key holds the foreign key. */
  removes: boolean;
  /** A child it reaches is re-keyed for its own children: the foreign key holds columns they reference. */
  rekeys: boolean;
  /** ON UPDATE acts on columns of the child's primary key: the child gets keys no log names. */
  rekeysPrimaryKey: boolean;
}

/**
 * The cascades a run follows: every acting foreign key between two mirrored tables whose child
 * has a primary key (a keyless child is copied whole anyway). Pure.
 */
export function cascadeRules(metas: ReadonlyMap<string, TableMeta>, fks: readonly ForeignKey[]): CascadeRule[] {
  const acting = fks.filter(changesChildren);
  // Columns of each table that acting foreign keys reference: a cascade changing one re-keys the row.
  const referenced = new Map<string, Set<string>>();
  for (const f of acting) for (const c of f.referenced) referenced.set(f.parent, (referenced.get(f.parent) ?? new Set()).add(c));
  return acting.flatMap((fk) => {
    const child = metas.get(fk.child);
    if (!metas.has(fk.parent) || !child || child.primaryKey.length === 0) return [];
    const inChildKey = fk.columns.some((c) => child.primaryKey.includes(c));
    return [{
      fk: fk.name,
      parent: fk.parent,
      child: fk.child,
      columns: fk.columns,
      referenced: fk.referenced,
      onDelete: fk.onDelete,
      onUpdate: fk.onUpdate,
      removes: fk.onDelete === 'CASCADE' || inChildKey,
      rekeys: fk.columns.some((c) => referenced.get(fk.child)?.has(c)),
      rekeysPrimaryKey: fk.onUpdate !== 'RESTRICT' && fk.onUpdate !== 'NO ACTION' && inChildKey,
    }];
  });
}

/**
 * Derives the keys cascades changed (see the top of this file) by joining the live mirrors (or, with
 * `mirrorName`, the copies of that name in `reportSchema`: the shadow set caught up after a full
 * sync); also returns the rows found and the children that must be copied whole. Reads only.
 */
export async function deriveCascades(
  conn: SqlConnection,
  reportSchema: string,
  metas: ReadonlyMap<string, TableMeta>,
  fks: readonly ForeignKey[],
  changes: ReadonlyMap<string, KeySet>,
  source: { snap: SqlConnection; schema: string },
  mirrorName: (table: string) => string = (t) => t,
): Promise<{ derived: Map<string, KeySet>; rows: number; whole: Set<string> }> {
  const derived = new Map<string, KeySet>();
  // A parent re-keyed under ON UPDATE CASCADE into a child's primary key gives the child rows new
  // keys that no log names: such a child is copied whole.
  const whole = new Set<string>();
  const rules = cascadeRules(metas, fks);
  const parents = new Set(fks.filter(changesChildren).map((f) => f.parent));

  const looked = new Set<string>();
  const queue: { table: string; keys: string[] }[] = [];
  const lookUp = (table: string, keys: Iterable<string>) => {
    if (!parents.has(table)) return;
    const fresh = [...keys].filter((k) => {
      const id = `${table}\u0000${k}`;
      if (looked.has(id)) return false;
      looked.add(id);
      return true;
    });
    if (fresh.length) queue.push({ table, keys: fresh });
  };
  const checked = new Set<string>();
  const toCheck = new Map<string, string[]>();
  const check = (table: string, key: string) => {
    const id = `${table}\u0000${key}`;
    if (!parents.has(table) || checked.has(id) || looked.has(id)) return;
    checked.add(id);
    const list = toCheck.get(table);
    if (list) list.push(key);
    else toCheck.set(table, [key]);
  };
  for (const [table, set] of changes) {
    lookUp(table, [...set].filter(([, v]) => v.removed).map(([k]) => k));
    for (const [k, v] of set) if (!v.removed) check(table, k);
  }

  let rows = 0;
  for (;;) {
    while (queue.length) {
      const { table, keys } = queue.shift()!;
      const parent = metas.get(table);
      if (!parent) continue;
      for (const fk of rules) {
        if (fk.parent !== table) continue;
        const child = metas.get(fk.child)!;
        if (fk.rekeysPrimaryKey) whole.add(fk.child);
        const on = fk.columns.map((c, i) => `__dp_c.${quoteId(c)} = __dp_p.${quoteId(fk.referenced[i]!)}`).join(' AND ');
        const { removes, rekeys } = fk;
        const next: string[] = [];
        for (const batch of batches(keys, 500)) {
          const found = await conn.query<{ k: string }>(
            `SELECT ${keyJsonSql(child, '__dp_c')} AS k FROM ${qualify(reportSchema, mirrorName(fk.child))} AS __dp_c
               JOIN ${qualify(reportSchema, mirrorName(table))} AS __dp_p ON ${on} WHERE ${keyInSql(parent, '__dp_p', batch)}`,
          );
          for (const r of found) {
            const key = canonicalKey(String(r.k), fk.child);
            rows++;
            addKey(derived, fk.child, key, removes);
            if (removes || rekeys) next.push(key);
            else check(fk.child, key);
          }
        }
        lookUp(fk.child, next);
      }
    }
    if (!toCheck.size) break;
    // Changed rows the snapshot no longer has were deleted, by a statement or by a cascade.
    const pending = [...toCheck];
    toCheck.clear();
    for (const [table, keys] of pending) {
      const meta = metas.get(table);
      if (meta?.primaryKey.length) lookUp(table, await absentKeys(source.snap, source.schema, meta, keys));
    }
  }
  return { derived, rows, whole };
}
