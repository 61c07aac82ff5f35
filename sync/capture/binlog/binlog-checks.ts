/**
 * Whether the binlog can tell which keys changed between two positions. Each "no" is a reason
 * (data, not an exception): the caller runs a full sync instead and records why.
 */
import type { SqlConnection } from '../../../src/db/connection.js';
import { type BinlogPosition, compareBinlogFiles } from './binlog-position.js';

/** Why the binlog cannot serve an incremental run; the caller falls back to a full sync and records it. */
export interface BinlogFallbackReason {
  code:
    | 'no-binlog'
    | 'binlog-format'
    | 'row-image'
    | 'transaction-compression'
    | 'partial-json'
    | 'purged'
    | 'position-beyond-end'
    | 'ddl'
    | 'statement-dml'
    | 'undecodable'
    | 'schema-changed'
    | 'too-many-keys';
  /** One line for the run history. */
  detail: string;
  /** The table named by the statement behind a `ddl` reason, when known. */
  table?: string;
}

// Every row image MySQL and MariaDB write holds the whole primary key in the before image (MINIMAL:
// the key only; NOBLOB: all but unneeded BLOBs; MariaDB FULL_NODUP: full before, changed after).
const ROW_IMAGES = new Set(['FULL', 'MINIMAL', 'NOBLOB', 'FULL_NODUP']);

/** A global server variable as text; null when the server has no such variable (or it is NULL). */
export async function globalVar(conn: SqlConnection, name: string): Promise<string | null> {
  // An unknown variable is an error (1193): the server has no such setting.
  const rows = await conn.query<{ v: string | number | null }>(`SELECT @@GLOBAL.${name} AS v`).catch(() => null);
  const v = rows?.[0]?.v;
  return v === undefined || v === null ? null : String(v);
}

/**
 * Checks the server's settings and that `from` (and `to`) can still be read; the first reason
 * found, or null when reading may start. Settings are global: a session that switches itself to
 * STATEMENT format is caught while reading (its DML arrives as statements).
 */
export async function checkBinlogReadable(conn: SqlConnection, from: BinlogPosition, to: BinlogPosition): Promise<BinlogFallbackReason | null> {
  if (Number(await globalVar(conn, 'log_bin')) !== 1) return { code: 'no-binlog', detail: 'the source server has no binary log (log_bin=OFF)' };
  const format = (await globalVar(conn, 'binlog_format')) ?? '';
  if (format.toUpperCase() !== 'ROW') {
    return { code: 'binlog-format', detail: `binlog_format is ${format || 'unknown'}, not ROW: the binlog does not name the changed rows` };
  }
  const image = ((await globalVar(conn, 'binlog_row_image')) ?? 'FULL').toUpperCase();
  if (!ROW_IMAGES.has(image)) return { code: 'row-image', detail: `binlog_row_image is ${image}: its before image may lack the primary key` };
  // MySQL 8.0.20+ fact: with binlog_transaction_compression=ON a transaction is one compressed
  // Transaction_payload event, which the binlog client cannot decode. MariaDB has no such setting
  // (its log_bin_compress compresses single events, which the client decodes).
  const compression = await globalVar(conn, 'binlog_transaction_compression');
  if (compression !== null && compression !== '0' && compression.toUpperCase() !== 'OFF') {
    return { code: 'transaction-compression', detail: 'binlog_transaction_compression is ON: compressed transactions cannot be decoded' };
  }
  // MySQL fact: PARTIAL_JSON writes JSON updates as Partial_update_rows events, which the client skips.
  const valueOptions = await globalVar(conn, 'binlog_row_value_options');
  if (valueOptions) return { code: 'partial-json', detail: `binlog_row_value_options is ${valueOptions}: partial JSON updates cannot be decoded` };
  type LogRow = { Log_name: string; File_size: number | string };
  const logs = await conn.query<LogRow>('SHOW BINARY LOGS');
  const start = logs.find((l) => l.Log_name === from.file);
  if (!start) {
    const oldest = logs[0]?.Log_name;
    const purged = oldest !== undefined && compareBinlogFiles(from.file, oldest) < 0;
    return {
      code: 'purged',
      detail: purged
        ? `binlog file ${from.file} was purged (oldest kept: ${oldest})`
        : `binlog file ${from.file} is not on the server (RESET MASTER, or another server)`,
    };
  }
  if (from.offset > Number(start.File_size)) {
    return { code: 'position-beyond-end', detail: `offset ${from.offset} lies beyond the end of ${from.file} (${start.File_size} bytes): another server, or the binlog was reset` };
  }
  const end = logs.find((l) => l.Log_name === to.file);
  if (!end || to.offset > Number(end.File_size)) {
    return { code: 'position-beyond-end', detail: `end position ${to.file}:${to.offset} is not in the binlog` };
  }
  return null;
}
