/**
 * Withholding forgotten rows from a copy about to go live (a restore's staging schema, a merge's
 * scratch tables): every row whose primary key's keyed hash is in the ledger is deleted. Each table
 * named in the ledger is scanned by its key columns only (streamed; the ledger's hashes are the one
 * thing held in memory), matches are deleted by key in batches, children before parents, so that
 * each table's count is its own rows. Where the copy has foreign keys, InnoDB's cascades also take
 * the rows that depend on a withheld row and that the ledger never saw (a row re-parented onto the
 * subject after the backup was taken, for instance): `cascaded` counts those.
 */
import type { TableMeta } from '../catalog/table-meta.js';
import { readForeignKeys } from '../catalog/foreign-keys.js';
import type { SqlConnection } from '../db/connection.js';
import { qualify, quoteId } from '../db/quote.js';
import { type ErasureKey, rowKeyHash } from './erasure-key.js';
import type { ErasureLedger } from './ledger.js';

/** What was withheld: rows per table matched by the ledger, and rows removed with them by cascades. */
export interface Withheld {
  byTable: Record<string, number>;
  matched: number;
  cascaded: number;
}

const BINARY = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob', 'bit']);

/** The primary key values of the rows of `schema.meta` that the ledger names (raw text-protocol values). */
export async function* erasedKeysIn(conn: SqlConnection, schema: string, meta: TableMeta, key: ErasureKey, hashes: ReadonlySet<string>): AsyncIterable<unknown[]> {
  if (hashes.size === 0 || meta.primaryKey.length === 0) return;
  const cols = meta.primaryKey.map(quoteId).join(', ');
  for await (const values of conn.stream(`SELECT ${cols} FROM ${qualify(schema, meta.name)}`, [], { raw: true }))
    if (hashes.has(rowKeyHash(key, meta.name, values as (string | Buffer | null)[]))) {
      // A string key goes back as text: a binary literal compared with a text column would compare bytes and skip its index.
      yield values.map((v, i) => (Buffer.isBuffer(v) && !BINARY.has(meta.columns.find((c) => c.name === meta.primaryKey[i])!.dataType) ? v.toString('utf8') : v));
    }
}

/** Deletes from `schema` every row the ledger names (tables in `metas` only); see the file comment. */
export async function withholdErased(conn: SqlConnection, schema: string, metas: ReadonlyMap<string, TableMeta>, ledger: ErasureLedger, key: ErasureKey): Promise<Withheld> {
  const tables = [...ledger.hashes.keys()].filter((t) => metas.has(t) && ledger.hashes.get(t)!.size > 0);
  const out: Withheld = { byTable: {}, matched: 0, cascaded: 0 };
  if (tables.length === 0) return out;
  const fks = await readForeignKeys(conn, schema);
  const order = childrenFirst(tables, fks.map((f) => ({ child: f.child, parent: f.parent })));
  // Tables a cascade can reach from a table we delete from: counted before and after.
  const reach = new Set<string>();
  for (let frontier = [...tables]; frontier.length > 0; ) {
    const next = fks.filter((f) => f.onDelete === 'CASCADE' && frontier.includes(f.parent) && !reach.has(f.child)).map((f) => f.child);
    next.forEach((t) => reach.add(t));
    frontier = next;
  }
  const before = await counts(conn, schema, [...reach]);
  for (const t of order) {
    const meta = metas.get(t)!;
    const keys: unknown[][] = [];
    for await (const k of erasedKeysIn(conn, schema, meta, key, ledger.hashes.get(t)!)) keys.push(k);
    let n = 0;
    for (let i = 0; i < keys.length; i += 500) {
      const batch = keys.slice(i, i + 500);
      const tuple = `(${meta.primaryKey.map(quoteId).join(', ')})`;
      const r = await conn.execute(`DELETE FROM ${qualify(schema, t)} WHERE ${tuple} IN (${batch.map(() => `(${meta.primaryKey.map(() => '?').join(', ')})`).join(', ')})`, batch.flat());
      n += r.affectedRows;
    }
    if (n > 0) out.byTable[t] = n;
    out.matched += n;
  }
  const after = await counts(conn, schema, [...reach]);
  for (const [t, b] of before) out.cascaded += b - after.get(t)! - (out.byTable[t] ?? 0);
  return out;
}

async function counts(conn: SqlConnection, schema: string, tables: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const t of tables) {
    const [r] = await conn.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${qualify(schema, t)}`);
    out.set(t, Number(r!.n));
  }
  return out;
}

/** `tables` ordered so that a table comes before every table it references (children first); cycles broken by name. */
export function childrenFirst(tables: readonly string[], fks: readonly { child: string; parent: string }[]): string[] {
  const left = new Set(tables);
  const order: string[] = [];
  while (left.size > 0) {
    // A table no remaining table references can go now.
    const ready = [...left].filter((t) => !fks.some((f) => f.parent === t && f.child !== t && left.has(f.child))).sort();
    const pick = ready[0] ?? [...left].sort()[0]!;
    order.push(pick);
    left.delete(pick);
  }
  return order;
}
