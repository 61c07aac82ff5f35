/**
 * Cascaded foreign-key actions fire no triggers (and are absent from the binlog on MariaDB and
 * MySQL up to 8.4), so the change log never names the child rows a cascade deleted or changed.
 * They are derived here: for every key a run saw removed (deleted, or re-keyed), the children
 * that referenced it in the live mirrors (the previous snapshot) are added to the change set, and
 * so on down the graph (contact → transaction → transaction item). Their rows are then fetched
 * again from the new snapshot: gone rows are deleted, SET NULL rows come back with NULL.
 */
import type { SqlConnection } from '../src/db/connection.js';
import { qualify, quoteId } from '../src/db/quote.js';
import { keyJsonSql } from './capture-sql.js';
import { addKey, canonicalKey, type KeySet } from './change-log.js';
import { changesChildren, type ForeignKey } from './foreign-keys.js';
import { batches, keyInSql } from './key-sql.js';
import type { TableMeta } from './table-meta.js';

export async function deriveCascades(
  conn: SqlConnection,
  reportSchema: string,
  metas: ReadonlyMap<string, TableMeta>,
  fks: readonly ForeignKey[],
  changes: ReadonlyMap<string, KeySet>,
): Promise<{ derived: Map<string, KeySet>; rows: number; whole: Set<string> }> {
  const derived = new Map<string, KeySet>();
  // A parent re-keyed under ON UPDATE CASCADE into a child's primary key gives the child rows new
  // keys that no log names: such a child is copied whole.
  const whole = new Set<string>();
  const queue: { table: string; keys: string[] }[] = [];
  for (const [table, set] of changes) {
    const removed = [...set].filter(([, v]) => v.removed).map(([k]) => k);
    if (removed.length) queue.push({ table, keys: removed });
  }
  let rows = 0;
  const seen = new Set<string>();
  while (queue.length) {
    const { table, keys } = queue.shift()!;
    const parent = metas.get(table);
    if (!parent) continue;
    for (const fk of fks) {
      if (fk.parent !== table || !changesChildren(fk)) continue;
      const child = metas.get(fk.child);
      if (!child || child.primaryKey.length === 0) continue;
      if (fk.onUpdate !== 'RESTRICT' && fk.onUpdate !== 'NO ACTION' && fk.columns.some((c) => child.primaryKey.includes(c))) whole.add(fk.child);
      const on = fk.columns.map((c, i) => `c.${quoteId(c)} = p.${quoteId(fk.referenced[i]!)}`).join(' AND ');
      // A deleted child is itself removed; so is one whose primary key holds the foreign key.
      const removes = fk.onDelete === 'CASCADE' || fk.columns.some((c) => child.primaryKey.includes(c));
      const next: string[] = [];
      for (const batch of batches(keys, 500)) {
        const found = await conn.query<{ k: string }>(
          `SELECT ${keyJsonSql(child, 'c')} AS k FROM ${qualify(reportSchema, fk.child)} AS c
             JOIN ${qualify(reportSchema, table)} AS p ON ${on} WHERE ${keyInSql(parent, 'p', batch)}`,
        );
        for (const r of found) {
          const key = canonicalKey(String(r.k));
          rows++;
          addKey(derived, fk.child, key, removes);
          const id = `${fk.child}\u0000${key}`;
          if (removes && !seen.has(id)) {
            seen.add(id);
            next.push(key);
          }
        }
      }
      if (next.length) queue.push({ table: fk.child, keys: next });
    }
  }
  return { derived, rows, whole };
}
