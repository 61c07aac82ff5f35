/**
 * The erasure ledger in memory, and reading and appending it (tables: ledger-tables.ts). A ledger
 * holds one keyed hash per erased row, so its size follows what was erased, never a table's size.
 * Ledgers from several places (the live source, the backup being restored, newer backups) are
 * united before a restore applies them: an erasure recorded anywhere is withheld everywhere.
 */
import type { SqlConnection } from '../db/connection.js';
import { qualify } from '../db/quote.js';
import { DualpipeError, UsageError } from '../errors.js';
import type { ErasureKey } from './erasure-key.js';
import { LEDGER_KEYS_TABLE, LEDGER_TABLE, hasLedgerTables } from './ledger-tables.js';

/** One erasure: when, who, why, and how many rows per table; never the data. */
export interface ErasureEntry {
  id: string;
  /** UTC, ISO 8601. */
  erasedAt: string;
  /** The account that ran it (CURRENT_USER()). */
  erasedBy: string;
  reason: string;
  sourceSchema: string;
  rootTable: string;
  /** Id of the erasure key its hashes were made with. */
  keyId: string;
  rowCounts: Record<string, number>;
  totalRows: number;
}

/** A whole ledger: its entries, and per table the keyed hashes (hex) of the erased rows. */
export interface ErasureLedger {
  entries: ErasureEntry[];
  hashes: Map<string, Set<string>>;
}

/** An empty ledger. */
export function emptyLedger(): ErasureLedger {
  return { entries: [], hashes: new Map() };
}

/** Every entry and hash of `ledgers`, once each (entries by id). */
export function uniteLedgers(...ledgers: readonly ErasureLedger[]): ErasureLedger {
  const out = emptyLedger();
  const seen = new Set<string>();
  for (const l of ledgers) {
    for (const e of l.entries)
      if (!seen.has(e.id)) {
        seen.add(e.id);
        out.entries.push(e);
      }
    for (const [table, set] of l.hashes) {
      const have = out.hashes.get(table) ?? new Set<string>();
      for (const h of set) have.add(h);
      out.hashes.set(table, have);
    }
  }
  out.entries.sort((a, b) => a.erasedAt.localeCompare(b.erasedAt) || a.id.localeCompare(b.id));
  return out;
}

/** Reads the ledger in `schema`; an empty ledger when the schema or its tables do not exist. */
export async function readLedger(conn: SqlConnection, schema: string): Promise<ErasureLedger> {
  const ledger = emptyLedger();
  if (!(await hasLedgerTables(conn, schema))) return ledger;
  const rows = await conn.query<Record<string, unknown>>(
    `SELECT erasure_id, DATE_FORMAT(erased_at, '%Y-%m-%dT%H:%i:%s.%fZ') AS erased_at, erased_by, reason, source_schema, root_table, key_id, row_counts, total_rows FROM ${qualify(schema, LEDGER_TABLE)} ORDER BY erased_at, erasure_id`,
  );
  for (const r of rows)
    ledger.entries.push({
      id: String(r.erasure_id),
      erasedAt: String(r.erased_at),
      erasedBy: String(r.erased_by),
      reason: String(r.reason),
      sourceSchema: String(r.source_schema),
      rootTable: String(r.root_table),
      keyId: String(r.key_id),
      rowCounts: JSON.parse(String(r.row_counts)) as Record<string, number>,
      totalRows: Number(r.total_rows),
    });
  for await (const [table, hash] of conn.stream(`SELECT table_name, HEX(key_hash) FROM ${qualify(schema, LEDGER_KEYS_TABLE)}`)) {
    const set = ledger.hashes.get(String(table)) ?? new Set<string>();
    set.add(String(hash).toLowerCase());
    ledger.hashes.set(String(table), set);
  }
  return ledger;
}

/**
 * Appends `entry` and its hashes to the ledger in `schema`, inside the caller's transaction when it
 * has one. An entry already there (same id) is left as it is: appending is idempotent, so a copy
 * to the report side can be repeated after a kill.
 */
export async function appendErasure(conn: SqlConnection, schema: string, entry: ErasureEntry, hashes: ReadonlyMap<string, readonly string[]>): Promise<void> {
  await conn.execute(
    `INSERT IGNORE INTO ${qualify(schema, LEDGER_TABLE)} (erasure_id, erased_at, erased_by, reason, source_schema, root_table, key_id, row_counts, total_rows) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [entry.id, entry.erasedAt.replace('T', ' ').replace('Z', ''), entry.erasedBy, entry.reason, entry.sourceSchema, entry.rootTable, entry.keyId, JSON.stringify(entry.rowCounts), entry.totalRows],
  );
  for (const [table, list] of hashes)
    for (let i = 0; i < list.length; i += 500) {
      const batch = list.slice(i, i + 500);
      await conn.execute(
        `INSERT IGNORE INTO ${qualify(schema, LEDGER_KEYS_TABLE)} (table_name, key_hash, erasure_id) VALUES ${batch.map(() => '(?, UNHEX(?), ?)').join(', ')}`,
        batch.flatMap((h) => [table, h, entry.id]),
      );
    }
}

/** The ledger as JSON lines (one entry per line, then one line per table of hashes): how a backup carries it. */
export function* ledgerLines(ledger: ErasureLedger): Iterable<string> {
  for (const e of ledger.entries) yield JSON.stringify({ entry: e });
  for (const [table, set] of ledger.hashes) yield JSON.stringify({ table, hashes: [...set] });
}

/** Reads what `ledgerLines` wrote; a line of another shape is an error naming `where`. */
export function ledgerFromLines(lines: Iterable<string>, where: string): ErasureLedger {
  const ledger = emptyLedger();
  let n = 0;
  for (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    const v = JSON.parse(line) as { entry?: ErasureEntry; table?: string; hashes?: string[] };
    if (v.entry && typeof v.entry.id === 'string') ledger.entries.push(v.entry);
    else if (typeof v.table === 'string' && Array.isArray(v.hashes) && v.hashes.every((h) => /^[0-9a-f]{64}$/.test(h))) {
      const set = ledger.hashes.get(v.table) ?? new Set<string>();
      v.hashes.forEach((h) => set.add(h));
      ledger.hashes.set(v.table, set);
    } else throw new DualpipeError(`${where}: line ${n} is not an erasure ledger line`, { hint: 'the ledger file was changed by hand or cut short; take it from another backup or the live source' });
  }
  return ledger;
}

/** Checks that every entry of the ledger was hashed with `key` (a restore would not recognise the others). */
export function assertLedgerKey(entries: readonly { keyId: string }[], key: ErasureKey): void {
  const other = [...new Set(entries.map((e) => e.keyId).filter((id) => id !== key.id))];
  if (other.length > 0)
    throw new UsageError(`the erasure ledger's entries were made with erasure key id ${other.join(', ')}; the key in ${key.file} has id ${key.id}; nothing was changed`, {
      hint: 'give the erasure key file the ledger was written with (--erasure-key-file or DUALPIPE_ERASURE_KEY_FILE)',
    });
}

