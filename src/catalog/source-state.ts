/**
 * What a sync records about the source as of its snapshot, for backups taken from its mirrors:
 * the InnoDB DDL of every table (a backup must restore into InnoDB even when the source is gone),
 * the schema version, and the binary log position for point-in-time recovery.
 */
import type { SqlConnection } from '../db/connection.js';
import { qualify } from '../db/quote.js';
import { readServerInfo, type ServerInfo } from '../db/server-info.js';
import { MIGRATIONS_TABLE_NAME } from './discover-tables.js';

/**
 * Where the binary log stood at the snapshot, for point-in-time recovery after a restore: file and
 * position, and on MariaDB the GTID position there (BINLOG_GTID_POS).
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
  /** Binary log position of the snapshot, when the server has a binlog and can tell it consistently. */
  binlog: BinlogPosition | null;
  /** Why `binlog` is null, for the manifest reader. */
  binlogNote?: string;
}

/**
 * Reads the binlog position matching the open consistent snapshot. MariaDB exposes it as
 * `binlog_snapshot_file/position` (set by START TRANSACTION WITH CONSISTENT SNAPSHOT); MySQL has
 * no lock-free equivalent, so it is left out there rather than recorded inexactly.
 */
export async function readSnapshotBinlog(
  snap: SqlConnection,
  server: ServerInfo,
): Promise<{ binlog: BinlogPosition | null; note?: string }> {
  const logBin = await snap.query<{ v: string | number }>('SELECT @@log_bin AS v');
  if (Number(logBin[0]?.v) !== 1) return { binlog: null, note: 'the source server has no binary log (log_bin=OFF)' };
  if (server.flavor !== 'mariadb') {
    return { binlog: null, note: 'MySQL offers no lock-free binlog position for a snapshot; not recorded' };
  }
  const rows = await snap.query<{ Variable_name: string; Value: string }>("SHOW STATUS LIKE 'binlog_snapshot_%'");
  const file = rows.find((r) => r.Variable_name === 'Binlog_snapshot_file')?.Value ?? '';
  const position = Number(rows.find((r) => r.Variable_name === 'Binlog_snapshot_position')?.Value ?? 0);
  if (!file) return { binlog: null, note: 'the server did not report a snapshot binlog position' };
  const gtid = await snap.query<{ g: string | null }>('SELECT BINLOG_GTID_POS(?, ?) AS g', [file, position]).catch(() => []);
  return { binlog: { file, position, ...(gtid[0]?.g ? { gtid: gtid[0].g } : {}) } };
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
  const binlog = await readSnapshotBinlog(snap, server);
  return {
    schema,
    serverVersion: server.version,
    ddl,
    migrations: await readMigrations(snap, schema),
    binlog: binlog.binlog,
    ...(binlog.note ? { binlogNote: binlog.note } : {}),
  };
}
