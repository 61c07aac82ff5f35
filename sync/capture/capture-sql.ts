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
import { qualify, quoteId, quoteString } from '../../src/db/quote.js';
import { isHexType } from '../../src/rows/row-codec.js';
import { hexKeyCharset } from './key-sql.js';
import type { ColumnMeta, TableMeta } from '../../src/catalog/table-meta.js';
import { createHash } from 'node:crypto';

/**
 * The change log in the source schema: one row per changed key, appended by the capture triggers.
 */
export const CHANGE_LOG_TABLE = '__dp_changes';
/** One row per installation; a sync records the id it saw, so a reinstall forces a full sync. */
export const CAPTURE_TABLE = '__dp_capture';

/**
 * Creates the change log. `seq` orders the changes and is what a sync consumes; `op` is I, U or D;
 * `pk` the key as JSON_ARRAY text. InnoDB, so a log row commits or rolls back with the writer's
 * change.
 */
export function changeLogDdl(schema: string): string {
  return `CREATE TABLE IF NOT EXISTS ${qualify(schema, CHANGE_LOG_TABLE)} (
  seq BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tbl VARCHAR(64) NOT NULL,
  op CHAR(1) NOT NULL,
  pk TEXT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_bin`;
}

/**
 * Creates the installation table (CAPTURE_TABLE): one row per `capture install`, with the captured
 * tables and the fingerprint of the triggers installed.
 */
export function captureTableDdl(schema: string): string {
  return `CREATE TABLE IF NOT EXISTS ${qualify(schema, CAPTURE_TABLE)} (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  installed_at DATETIME(6) NOT NULL,
  tables TEXT NOT NULL,
  fingerprint CHAR(64) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;
}

/**
 * The SQL expression that prints one key column exactly, the same way on every server and
 * session, as text key-sql.ts turns back into a literal of the same value:
 * - binary types as hex (bytes must not go through a character set), and so strings of any
 *   character set but utf8mb4, which key-sql.ts writes back in their own character set (see
 *   hexKeyCharset there: utf8mb4 text is neither exact for every one nor matched right);
 * - BIT as its unsigned integer: `HEX(b'101')` is `5`, and an odd number of hex digits is no
 *   valid `X'…'` literal;
 * - FLOAT and DOUBLE through DOUBLE, printed as a JSON number: `CAST(float AS CHAR)` prints 6
 *   significant digits (16777215 prints as 16777200), while a FLOAT widens to DOUBLE exactly.
 *   MySQL's `CAST(double AS CHAR)` is not exact either: it fits the text into 22 characters, so
 *   -1.7976931348623157e308 prints as -1.797693134862316e308, which is beyond the largest DOUBLE
 *   and reads back as "Illegal double" (torture seed 2 on MySQL), and -2.2250738585072014e-308
 *   loses a digit. Both servers print a JSON number with the shortest digits that read back as
 *   the same DOUBLE (MySQL adds `.0` to integral values: `3.0`, `-0.0`), so the key part is the
 *   text of `JSON_ARRAY(CAST(x AS DOUBLE))`'s only element;
 * - TIMESTAMP as seconds since the epoch: it would print in the session's time zone, and triggers
 *   run in the writers' sessions. The zero TIMESTAMP is logged as 0 (1970-01-01 00:00:00 UTC
 *   itself cannot be stored), which key-sql.ts reads back as the zero value;
 * - everything else as text, which is exact for integers, DECIMAL, DATE/DATETIME/TIME (zero and
 *   fractional values included), YEAR, SET and utf8mb4 strings (trailing spaces are kept).
 * Changing any of these changes the trigger text and so the capture fingerprint: a sync then runs
 * full until `capture install`, whose new installation id makes the next run full too, so a log
 * row in an older format is never read as a key (DROP TRIGGER waits for the transactions that
 * fired the old trigger, so none of their rows can commit after the reinstall).
 */
export function keyPartSql(ref: string, col: Pick<ColumnMeta, 'dataType' | 'charset'>): string {
  const type = col.dataType.toLowerCase();
  if (type === 'bit') return `CAST(CAST(${ref} AS UNSIGNED) AS CHAR)`;
  // ENUM by index: the error value (index 0) and a declared '' member print alike as text.
  if (type === 'enum') return `CAST(${ref} + 0 AS CHAR)`;
  if (isHexType(type) || hexKeyCharset(col) !== null) return `HEX(${ref})`;
  if (type === 'float' || type === 'double' || type === 'real') return `JSON_UNQUOTE(JSON_EXTRACT(JSON_ARRAY(CAST(${ref} AS DOUBLE)), '$[0]'))`;
  // UNIX_TIMESTAMP() of the zero TIMESTAMP is NULL in a trigger (0 in a plain SELECT): spelled out.
  if (type === 'timestamp') return `IF(CAST(${ref} AS CHAR) LIKE '0000-00-00%', '0', CAST(UNIX_TIMESTAMP(${ref}) AS CHAR))`;
  return `CAST(${ref} AS CHAR)`;
}

/** Character types compare by collation: `'acme' = 'ACME'`, and `'a' = 'a '` under PAD SPACE. */
const COLLATED = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'enum', 'set']);

/**
 * True when a column's value is unchanged byte for byte. `OLD.c <=> NEW.c` compares by the
 * column's collation, but InnoDB's ON UPDATE CASCADE compares bytes: `acme` → `ACME` (or `a` →
 * `a `) is passed on to the children, so the trigger must see it as a change of the key too.
 */
function sameSql(col: TableMeta['columns'][number]): string {
  const ref = (alias: string) => `${alias}.${quoteId(col.name)}`;
  if (COLLATED.has(col.dataType.toLowerCase())) return `CAST(${ref('OLD')} AS BINARY) <=> CAST(${ref('NEW')} AS BINARY)`;
  return `${ref('OLD')} <=> ${ref('NEW')}`;
}

/** `JSON_ARRAY(…)` of a row's key columns, `alias` being NEW, OLD or a table alias. */
export function keyJsonSql(meta: TableMeta, alias: string): string {
  const parts = meta.primaryKey.map((c) => {
    const col = meta.columns.find((x) => x.name === c)!;
    return keyPartSql(`${alias}.${quoteId(c)}`, col);
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
 * UPDATE changing one of them (or the primary key) logs the old key as removed ('D'), so that the
 * children of the old value are found, and the new key as arrived ('I'), like an INSERT: a key
 * that arrives may have been taken by a row that a cascade removed earlier in the same interval,
 * whose children derive-cascades.ts must then look up (see there).
 */
export function triggerDdl(schema: string, meta: TableMeta, referenced: readonly string[]): { name: string; sql: string }[] {
  const log = qualify(schema, CHANGE_LOG_TABLE);
  const table = qualify(schema, meta.name);
  const lit = quoteString(meta.name);
  const insert = (op: string, alias: string) => `INSERT INTO ${log} (tbl, op, pk) VALUES (${lit}, '${op}', ${keyJsonSql(meta, alias)})`;
  const keyCols = [...new Set([...meta.primaryKey, ...referenced])];
  const same = keyCols.map((c) => sameSql(meta.columns.find((x) => x.name === c)!)).join(' AND ');
  const ins = triggerName(meta.name, 'ins');
  const upd = triggerName(meta.name, 'upd');
  const del = triggerName(meta.name, 'del');
  return [
    { name: ins, sql: `CREATE TRIGGER ${qualify(schema, ins)} AFTER INSERT ON ${table} FOR EACH ROW ${insert('I', 'NEW')}` },
    {
      name: upd,
      sql:
        `CREATE TRIGGER ${qualify(schema, upd)} AFTER UPDATE ON ${table} FOR EACH ROW BEGIN ` +
        `IF NOT (${same}) THEN ${insert('D', 'OLD')}; ${insert('I', 'NEW')}; ELSE ${insert('U', 'NEW')}; END IF; END`,
    },
    { name: del, sql: `CREATE TRIGGER ${qualify(schema, del)} AFTER DELETE ON ${table} FOR EACH ROW ${insert('D', 'OLD')}` },
  ];
}
