import type { SqlConnection } from './connection.js';

const ER_PARSE_ERROR = 1064;

/** Where the binary log stands now: its current file and position, and on MySQL the executed GTID set. */
export interface BinlogStatus {
  file: string;
  position: number;
  /** MySQL's `Executed_Gtid_Set` (absent on MariaDB, whose GTIDs are kept elsewhere). */
  executedGtidSet?: string;
}

/**
 * Reads the binary log's current file and position; null when the server has no binary log.
 * Feature-detected, not by version: MySQL 8.2 introduced `SHOW BINARY LOG STATUS` and 8.4 removed
 * `SHOW MASTER STATUS`, while MariaDB 10.11 parses only the latter (and its alias SHOW BINLOG STATUS),
 * so a parse error of the new statement means the old one. Both need a binlog privilege
 * (REPLICATION CLIENT on MySQL, BINLOG MONITOR on MariaDB); a refusal is thrown to the caller.
 */
export async function readBinlogStatus(conn: SqlConnection): Promise<BinlogStatus | null> {
  type Row = { File?: string; Position?: number | string; Executed_Gtid_Set?: string };
  let rows: Row[];
  try {
    rows = await conn.query<Row>('SHOW BINARY LOG STATUS');
  } catch (error) {
    if ((error as { errno?: number }).errno !== ER_PARSE_ERROR) throw error;
    rows = await conn.query<Row>('SHOW MASTER STATUS');
  }
  const row = rows[0];
  if (!row?.File) return null;
  // The set is printed with a newline after each comma when it names several servers.
  const gtid = row.Executed_Gtid_Set?.replace(/\s+/g, '');
  return { file: row.File, position: Number(row.Position ?? 0), ...(gtid ? { executedGtidSet: gtid } : {}) };
}

const beforeSnapshot = new WeakMap<SqlConnection, BinlogStatus | null>();

/**
 * Notes where the binary log stood just before `snap` opened its snapshot (see openSnapshot); a
 * refused or failed read is noted as null. On MySQL the snapshot's replay starts at that file.
 */
export async function noteBinlogBeforeSnapshot(snap: SqlConnection): Promise<void> {
  beforeSnapshot.set(snap, await readBinlogStatus(snap).catch(() => null));
}

/** What noteBinlogBeforeSnapshot noted for `snap`: undefined when nothing was noted, null when unreadable. */
export function binlogBeforeSnapshot(snap: SqlConnection): BinlogStatus | null | undefined {
  return beforeSnapshot.get(snap);
}
