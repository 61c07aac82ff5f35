/**
 * Where the erasure ledger lives. On the source server: two InnoDB tables in the source's internal
 * schema (`<source>__dualpipe`, beside the CRM tables and never mirrored), written in the same
 * transaction as the erasure's deletes, and append-only: triggers refuse every UPDATE and DELETE
 * (the roles get SELECT and INSERT only, ops/grants). On the report server: the same two tables as
 * MyISAM in `<report>__dualpipe`, copied by each forget, so that every backup (dumped from the
 * report side) carries the ledger as it stood.
 *
 * The ledger never holds data: per erasure, when, the account, the reason the DBA gave, the root
 * table, the row count per table, and each erased row's primary key as a keyed hash
 * (erasure-key.ts). The --where text is not stored: it may name the person (an e-mail address).
 */
import type { SqlConnection } from '../db/connection.js';
import { qualify } from '../db/quote.js';

/** The ledger's entries: one row per erasure. */
export const LEDGER_TABLE = 'erasure_ledger';
/** The ledger's keyed hashes: one row per erased row. */
export const LEDGER_KEYS_TABLE = 'erasure_keys';

const ENTRY_COLUMNS =
  'erasure_id CHAR(36) NOT NULL PRIMARY KEY, erased_at DATETIME(6) NOT NULL, erased_by VARCHAR(300) NOT NULL, ' +
  'reason VARCHAR(1000) NOT NULL, source_schema VARCHAR(64) NOT NULL, root_table VARCHAR(64) NOT NULL, ' +
  'key_id CHAR(32) NOT NULL, row_counts TEXT NOT NULL, total_rows BIGINT UNSIGNED NOT NULL';
const KEY_COLUMNS = 'table_name VARCHAR(64) NOT NULL, key_hash BINARY(32) NOT NULL, erasure_id CHAR(36) NOT NULL, PRIMARY KEY (table_name, key_hash, erasure_id), KEY (erasure_id)';

/** The statements creating the ledger in `schema` (which must exist): InnoDB and append-only on the source, MyISAM on the report side. */
export function ledgerTablesSql(schema: string, side: 'source' | 'report'): string[] {
  const engine = side === 'source' ? 'InnoDB' : 'MyISAM';
  const tables = [
    `CREATE TABLE IF NOT EXISTS ${qualify(schema, LEDGER_TABLE)} (${ENTRY_COLUMNS}) ENGINE=${engine} DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
    `CREATE TABLE IF NOT EXISTS ${qualify(schema, LEDGER_KEYS_TABLE)} (${KEY_COLUMNS}) ENGINE=${engine} DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  ];
  if (side === 'report') return tables;
  // CREATE TRIGGER IF NOT EXISTS: MariaDB since 10.1.4, MySQL since 8.0.29. TRUNCATE and DROP fire
  // no trigger: the roles hold no DROP on this schema (ops/grants).
  const refuse = (table: string, event: 'UPDATE' | 'DELETE') =>
    `CREATE TRIGGER IF NOT EXISTS ${qualify(schema, `${table}_no_${event.toLowerCase()}`)} BEFORE ${event} ON ${qualify(schema, table)} ` +
    `FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'the erasure ledger is append-only'`;
  return [...tables, ...[LEDGER_TABLE, LEDGER_KEYS_TABLE].flatMap((t) => [refuse(t, 'UPDATE'), refuse(t, 'DELETE')])];
}

/** Creates the ledger tables (and triggers) in `schema` when missing. */
export async function ensureLedgerTables(conn: SqlConnection, schema: string, side: 'source' | 'report'): Promise<void> {
  for (const sql of ledgerTablesSql(schema, side)) await conn.execute(sql);
}

/** True when `schema` holds the ledger's tables. */
export async function hasLedgerTables(conn: SqlConnection, schema: string): Promise<boolean> {
  const rows = await conn.query<{ n: number | string }>(
    'SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (?, ?)',
    [schema, LEDGER_TABLE, LEDGER_KEYS_TABLE],
  );
  return Number(rows[0]?.n ?? 0) === 2;
}

