/**
 * Change capture, as SQL. Why triggers: an incremental sync must see every change, including the
 * ones a checksum pass would find only by reading every row (measured: checksumming 2M InnoDB
 * rows costs about a third of copying them), and the binlog is neither always on nor readable
 * with a plain account. Each table gets AFTER INSERT/UPDATE/DELETE triggers that append the
 * changed row's primary key to one InnoDB log table, in the writer's own transaction: a change
 * is logged exactly when it commits, so a sync reading the log in its snapshot sees the changes
 * of that snapshot, and late commits stay in the log for the next run (the log is consumed by
 * sequence number, never by a watermark). Cascaded foreign-key actions fire no triggers: their
 * effects are derived from the foreign-key graph (derive-cascades.ts), which is why an UPDATE
 * that changes a key other tables reference is logged as the old key's removal ('D') too.
 * Pure: builds statements from table metadata.
 */
import { qualify, quoteId, quoteString } from '../src/db/quote.js';
import { isHexType } from '../backup/row-codec.js';
import type { TableMeta } from './table-meta.js';
import { createHash } from 'node:crypto';

export const CHANGE_LOG_TABLE = '__dp_changes';
/** One row per installation; a sync records the id it saw, so a reinstall forces a full sync. */
export const CAPTURE_TABLE = '__dp_capture';

export function changeLogDdl(schema: string): string {
  return `CREATE TABLE IF NOT EXISTS ${qualify(schema, CHANGE_LOG_TABLE)} (
  seq BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tbl VARCHAR(64) NOT NULL,
  op CHAR(1) NOT NULL,
  pk TEXT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_bin`;
}

export function captureTableDdl(schema: string): string {
  return `CREATE TABLE IF NOT EXISTS ${qualify(schema, CAPTURE_TABLE)} (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  installed_at DATETIME(6) NOT NULL,
  tables TEXT NOT NULL,
  fingerprint CHAR(64) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;
}

/**
 * The SQL expression that prints one key column the same way on every server and session: text
 * for most types, hex for binary ones (bytes must not go through a character set), seconds since
 * the epoch for TIMESTAMP.
 */
export function keyPartSql(ref: string, dataType: string): string {
  if (isHexType(dataType)) return `HEX(${ref})`;
  // A TIMESTAMP prints in the session's time zone; triggers run in the writers' sessions.
  if (dataType.toLowerCase() === 'timestamp') return `CAST(UNIX_TIMESTAMP(${ref}) AS CHAR)`;
  return `CAST(${ref} AS CHAR)`;
}

/** `JSON_ARRAY(…)` of a row's key columns, `alias` being NEW, OLD or a table alias. */
export function keyJsonSql(meta: TableMeta, alias: string): string {
  const parts = meta.primaryKey.map((c) => {
    const col = meta.columns.find((x) => x.name === c)!;
    return keyPartSql(`${alias}.${quoteId(c)}`, col.dataType);
  });
  return `JSON_ARRAY(${parts.join(', ')})`;
}

/** Trigger names fit MySQL's 64 characters whatever the table name. */
export function triggerName(table: string, event: 'ins' | 'upd' | 'del'): string {
  const name = `__dp_${event}_${table}`;
  if (name.length <= 64) return name;
  return `__dp_${event}_${table.slice(0, 46)}_${createHash('sha256').update(table).digest('hex').slice(0, 8)}`;
}

/**
 * The three triggers of one table. `referenced`: columns other tables' foreign keys point at; an
 * UPDATE changing one of them (or the primary key) logs the old key as removed, so that the
 * children of the old value are found.
 */
export function triggerDdl(schema: string, meta: TableMeta, referenced: readonly string[]): { name: string; sql: string }[] {
  const log = qualify(schema, CHANGE_LOG_TABLE);
  const table = qualify(schema, meta.name);
  const lit = quoteString(meta.name);
  const insert = (op: string, alias: string) => `INSERT INTO ${log} (tbl, op, pk) VALUES (${lit}, '${op}', ${keyJsonSql(meta, alias)})`;
  const keyCols = [...new Set([...meta.primaryKey, ...referenced])];
  const same = keyCols.map((c) => `OLD.${quoteId(c)} <=> NEW.${quoteId(c)}`).join(' AND ');
  const ins = triggerName(meta.name, 'ins');
  const upd = triggerName(meta.name, 'upd');
  const del = triggerName(meta.name, 'del');
  return [
    { name: ins, sql: `CREATE TRIGGER ${qualify(schema, ins)} AFTER INSERT ON ${table} FOR EACH ROW ${insert('I', 'NEW')}` },
    {
      name: upd,
      sql:
        `CREATE TRIGGER ${qualify(schema, upd)} AFTER UPDATE ON ${table} FOR EACH ROW BEGIN ` +
        `IF NOT (${same}) THEN ${insert('D', 'OLD')}; END IF; ${insert('U', 'NEW')}; END`,
    },
    { name: del, sql: `CREATE TRIGGER ${qualify(schema, del)} AFTER DELETE ON ${table} FOR EACH ROW ${insert('D', 'OLD')}` },
  ];
}
