/**
 * What a sync records about the source as of its snapshot, for backups taken from its mirrors:
 * the InnoDB DDL of every table (a backup must restore into InnoDB even when the source is gone),
 * the schema version, and the binary log position for point-in-time recovery.
 */
import type { SqlConnection } from '../db/connection.js';
import { qualify } from '../db/quote.js';
import { binlogBeforeSnapshot } from '../db/binlog-status.js';
import { readServerInfo } from '../db/server-info.js';
import { MIGRATIONS_TABLE_NAME } from './discover-tables.js';

/**
 * Where a replay of the binary log must start after restoring a backup of the snapshot: file and
 * position, and the GTID set the snapshot already holds. On MariaDB the position is the snapshot's
 * own and `gtid` is its GTID position there (BINLOG_GTID_POS, informational). On MySQL the position
 * is the start of the file that was current before the snapshot opened, and `gtid` is the set of
 * transactions the snapshot holds: a replay must leave those out (`mysqlbinlog --exclude-gtids`).
 */
export interface BinlogPosition {
  file: string;
  position: number;
  gtid?: string;
}

/**
 * What a sync records about the source as of its snapshot (see the file header), kept in the run
 * history for the backups of its mirrors.
 */
export interface SourceState {
  schema: string;
  serverVersion: string;
  /** InnoDB `SHOW CREATE TABLE` per table of the run. */
  ddl: Record<string, string>;
  /** Applied migrations (knex bookkeeping), oldest first; empty for a schema without them. */
  migrations: string[];
  /** Where a binlog replay after a restore of this snapshot starts, when the server can tell it exactly. */
  binlog: BinlogPosition | null;
  /** Why `binlog` is null, for the manifest reader. */
  binlogNote?: string;
}

/** Where the first event of a binlog file starts (after the 4-byte magic number). */
const BINLOG_FILE_START = 4;

/**
 * Reads the binlog position matching the open consistent snapshot, feature-detected:
 * - MariaDB (and Percona) report it as `binlog_snapshot_file/position`, set by START TRANSACTION
 *   WITH CONSISTENT SNAPSHOT: exact and lock-free.
 * - Oracle MySQL has no such status. `SHOW BINARY LOG STATUS` read next to the snapshot is not exact:
 *   a transaction is written to the binlog before InnoDB commits it, so one may lie before the
 *   position read yet be missing from the snapshot. With GTIDs on, the snapshot's set is the union of
 *   the `Executed_Gtid_Set` read just before the snapshot opened (all committed, so all in it) and
 *   mysql.gtid_executed as the snapshot sees it. MySQL fact: that table alone is NOT the snapshot's
 *   set. Since 8.0.17 a commit writes its GTID to the undo log and a background thread (the clone
 *   GTID persister) copies it into the table about every 100 ms, so the snapshot's view of the
 *   table lags its data: replaying from it re-applied a transaction the backup already held (a
 *   duplicate key in a clean-clone CI run). The union is exact unless a transaction commits in the
 *   instant between the status read and the snapshot's start and the persister has not flushed it
 *   yet: that one is replayed twice. Closing that window needs a brief global read lock (FLUSH
 *   TABLES WITH READ LOCK, as mysqldump --source-data takes), which a sync never takes. Every other
 *   transaction lies in the file current before the snapshot opened or a later one (a binlog
 *   rotation waits for the prepared transactions of the old file to commit), so a replay from the
 *   start of that file that leaves out the set is exact. Without GTIDs, nothing is recorded.
 */
export function readSnapshotBinlog(snap: SqlConnection): Promise<{ binlog: BinlogPosition | null; note?: string }> {
  // Read once per snapshot session: it cannot change, and MariaDB's BINLOG_GTID_POS reads the
  // binlog file from its start up to the position (0.13–0.21 s each, 500–750 MB into a file, on the bench).
  let read = snapshotBinlogs.get(snap);
  if (!read) {
    // A failed read is not kept: the next caller asks again.
    read = readSnapshotBinlogNow(snap).catch((error: unknown) => {
      snapshotBinlogs.delete(snap);
      throw error;
    });
    snapshotBinlogs.set(snap, read);
  }
  return read;
}

const snapshotBinlogs = new WeakMap<SqlConnection, Promise<{ binlog: BinlogPosition | null; note?: string }>>();

async function readSnapshotBinlogNow(snap: SqlConnection): Promise<{ binlog: BinlogPosition | null; note?: string }> {
  const logBin = await snap.query<{ v: string | number }>('SELECT @@log_bin AS v');
  if (Number(logBin[0]?.v) !== 1) return { binlog: null, note: 'the source server has no binary log (log_bin=OFF)' };
  const rows = await snap.query<{ Variable_name: string; Value: string }>("SHOW STATUS LIKE 'binlog_snapshot_%'");
  if (rows.length > 0) {
    const file = rows.find((r) => r.Variable_name === 'Binlog_snapshot_file')?.Value ?? '';
    const position = Number(rows.find((r) => r.Variable_name === 'Binlog_snapshot_position')?.Value ?? 0);
    if (!file) return { binlog: null, note: 'the server did not report a snapshot binlog position' };
    const gtid = await snap.query<{ g: string | null }>('SELECT BINLOG_GTID_POS(?, ?) AS g', [file, position]).catch(() => []);
    return { binlog: { file, position, ...(gtid[0]?.g ? { gtid: gtid[0].g } : {}) } };
  }
  return readSnapshotGtids(snap);
}

async function readSnapshotGtids(snap: SqlConnection): Promise<{ binlog: BinlogPosition | null; note?: string }> {
  const mode = await snap.query<{ m: string }>('SELECT @@GLOBAL.gtid_mode AS m').catch(() => []);
  if (mode[0]?.m !== 'ON') {
    return { binlog: null, note: 'without GTIDs (gtid_mode=ON) MySQL offers no exact lock-free binlog position for a snapshot; not recorded' };
  }
  const before = binlogBeforeSnapshot(snap);
  if (!before) {
    return { binlog: null, note: 'the binlog position could not be read (SHOW BINARY LOG STATUS needs REPLICATION CLIENT); not recorded' };
  }
  const table = await readGtidExecutedTable(snap);
  if (table === null) {
    return { binlog: null, note: 'mysql.gtid_executed could not be read (the sync account needs SELECT on it); not recorded' };
  }
  // The union, normalized by the server (GTID sets are comma-separated; GTID_SUBTRACT with '' merges them).
  const union = await snap.query<{ g: string | null }>("SELECT GTID_SUBTRACT(CONCAT_WS(',', NULLIF(?, ''), NULLIF(?, '')), '') AS g", [
    before.executedGtidSet ?? '',
    table,
  ]);
  const gtid = (union[0]?.g ?? table).replace(/\s+/g, '');
  return { binlog: { file: before.file, position: BINLOG_FILE_START, gtid } };
}

const ER_BAD_FIELD = 1054;

/**
 * The GTID set in mysql.gtid_executed as the snapshot sees it, normalized by the server
 * (GTID_SUBTRACT with an empty set merges the rows' intervals); null when it cannot be read.
 * The rows are concatenated on the server, so memory stays bounded here; MySQL 8.3 added tags.
 */
async function readGtidExecutedTable(snap: SqlConnection): Promise<string | null> {
  await snap.execute('SET SESSION group_concat_max_len = 1073741824');
  const query = (tag: string) =>
    snap.query<{ g: string | null }>(
      `SELECT GTID_SUBTRACT(IFNULL(GROUP_CONCAT(source_uuid, ${tag}':', interval_start, '-', interval_end), ''), '') AS g FROM mysql.gtid_executed`,
    );
  try {
    const rows = await query("IF(gtid_tag = '', '', CONCAT(':', gtid_tag)), ").catch((error: unknown) => {
      if ((error as { errno?: number }).errno === ER_BAD_FIELD) return query('');
      throw error;
    });
    return (rows[0]?.g ?? '').replace(/\s+/g, '');
  } catch {
    return null;
  }
}

/**
 * The applied migrations of `schema` in the order they ran (knex's bookkeeping table); none when
 * the schema has no such table.
 */
export async function readMigrations(snap: SqlConnection, schema: string): Promise<string[]> {
  const exists = await snap.query('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [
    schema,
    MIGRATIONS_TABLE_NAME,
  ]);
  if (exists.length === 0) return [];
  const rows = await snap.query<{ name: string }>(`SELECT name FROM ${qualify(schema, MIGRATIONS_TABLE_NAME)} ORDER BY id`);
  return rows.map((r) => r.name);
}

/** A table's DDL without what changes with its data (the AUTO_INCREMENT counter), for comparisons. */
export function normalizeDdl(ddl: string): string {
  return ddl.replace(/\s+AUTO_INCREMENT=\d+/i, '');
}

/** The `SHOW CREATE TABLE` text of one table. */
export async function showCreateTable(conn: SqlConnection, schema: string, table: string): Promise<string> {
  const rows = await conn.query<Record<string, string>>(`SHOW CREATE TABLE ${qualify(schema, table)}`);
  return rows[0]?.['Create Table'] ?? '';
}

/** What a sync records about the source, read on its snapshot session. */
export async function readSourceState(snap: SqlConnection, schema: string, ddl: Record<string, string>): Promise<SourceState> {
  const server = await readServerInfo(snap);
  const binlog = await readSnapshotBinlog(snap);
  return {
    schema,
    serverVersion: server.version,
    ddl,
    migrations: await readMigrations(snap, schema),
    binlog: binlog.binlog,
    ...(binlog.note ? { binlogNote: binlog.note } : {}),
  };
}
