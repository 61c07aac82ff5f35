/**
 * A place in the source's binary log: file and offset, plus the server's GTID state there. The
 * file/offset pair is what the key reader starts from and stops at; the GTID set travels along so a
 * later check can tell a server switch or a RESET MASTER from an ordinary restart.
 */
import type { SqlConnection } from '../../../src/db/connection.js';
import { readBinlogStatus } from '../../../src/db/binlog-status.js';
import { BinlogPositionError } from './binlog-errors.js';

/** A binary log position: the end of a committed transaction (or of a file's header events). */
export interface BinlogPosition {
  /** Binlog file name as the server lists it (`binlog.000003`). */
  file: string;
  /** Byte offset in `file` where the next event starts. */
  offset: number;
  /**
   * MySQL: `gtid_executed` (a GTID set); MariaDB: `gtid_binlog_pos` (last GTID per domain). Absent
   * when the server has no GTIDs. Read BEFORE the file/offset, so it never covers a transaction
   * that lies after `offset` (a resume by GTID re-reads rather than skips).
   */
  gtid?: string;
  /**
   * MySQL: a GTID set whose transactions a reader starting here leaves out (they are in the
   * snapshot this position belongs to; capture-snapshot.ts). Absent: none left out.
   */
  skip?: string;
}

/**
 * Reads the server's current binlog position; null when the server has no binary log.
 * Statement feature-detected in readBinlogStatus (MySQL 8.4+/9: SHOW BINARY LOG STATUS; MariaDB:
 * SHOW MASTER STATUS). MySQL gives the executed GTID set in the same row, atomically. MariaDB keeps
 * its GTID position in a variable, read first: a commit between the two reads makes the GTID
 * position lag the offset, never lead it.
 */
export async function readBinlogPosition(conn: SqlConnection): Promise<BinlogPosition | null> {
  const maria = await conn.query<{ g: string | null }>('SELECT @@GLOBAL.gtid_binlog_pos AS g').catch(() => null);
  const status = await readBinlogStatus(conn);
  if (!status) return null;
  const gtid = maria ? (maria[0]?.g ?? '') : (status.executedGtidSet ?? '');
  return { file: status.file, offset: status.position, ...(gtid ? { gtid } : {}) };
}

/** The position as one line of text (JSON), for a history row or a marker table. */
export function serializeBinlogPosition(position: BinlogPosition): string {
  return JSON.stringify({
    file: position.file,
    offset: position.offset,
    ...(position.gtid ? { gtid: position.gtid } : {}),
    ...(position.skip ? { skip: position.skip } : {}),
  });
}

/** Parses serializeBinlogPosition's text; throws BinlogPositionError when it is not one. */
export function parseBinlogPosition(text: string): BinlogPosition {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new BinlogPositionError(text, 'not JSON', { cause });
  }
  const v = value as { file?: unknown; offset?: unknown; gtid?: unknown; skip?: unknown };
  if (typeof v !== 'object' || v === null) throw new BinlogPositionError(text, 'not an object');
  if (typeof v.file !== 'string' || fileSequence(v.file) === null) throw new BinlogPositionError(text, 'file is not a binlog file name');
  if (typeof v.offset !== 'number' || !Number.isSafeInteger(v.offset) || v.offset < 4) throw new BinlogPositionError(text, 'offset is not an integer >= 4');
  if (v.gtid !== undefined && typeof v.gtid !== 'string') throw new BinlogPositionError(text, 'gtid is not a string');
  if (v.skip !== undefined && typeof v.skip !== 'string') throw new BinlogPositionError(text, 'skip is not a string');
  return { file: v.file, offset: v.offset, ...(v.gtid ? { gtid: v.gtid } : {}), ...(v.skip ? { skip: v.skip } : {}) };
}

/** The numeric suffix of a binlog file name (`binlog.000012` -> 12); null when it has none. */
export function fileSequence(file: string): number | null {
  const m = /^(.+)\.(\d+)$/.exec(file);
  return m ? Number(m[2]) : null;
}

/**
 * Orders two positions of the same server's binlog: negative when `a` is before `b`. Files are
 * ordered by their sequence number (the base name is the same within one server: log-bin), then
 * offsets. GTID sets are not compared: they are not ordered in general (several sources).
 */
export function compareBinlogPositions(a: Pick<BinlogPosition, 'file' | 'offset'>, b: Pick<BinlogPosition, 'file' | 'offset'>): number {
  const byFile = compareBinlogFiles(a.file, b.file);
  return byFile !== 0 ? byFile : a.offset - b.offset;
}

/** Orders binlog file names by sequence number (names without one: by text). */
export function compareBinlogFiles(a: string, b: string): number {
  const sa = fileSequence(a);
  const sb = fileSequence(b);
  if (sa !== null && sb !== null && sa !== sb) return sa - sb;
  return a < b ? -1 : a > b ? 1 : 0;
}
