import { noteBinlogBeforeSnapshot } from './binlog-status.js';
import { allowUncheckedRows } from './check-constraints.js';
import type { SqlConnection, SqlConnector } from './connection.js';
import { allowKeylessTables } from './keyless-tables.js';

/** Session settings every sync session uses, so values print and compare the same everywhere. */
export async function prepareSession(conn: SqlConnection): Promise<void> {
  // UTC so TIMESTAMP values print identically on every session; NO_AUTO_VALUE_ON_ZERO so an id of 0
  // is copied as 0 instead of drawing a new AUTO_INCREMENT value.
  await conn.execute("SET SESSION time_zone = '+00:00', SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO'");
  await allowUncheckedRows(conn);
  await allowKeylessTables(conn);
}

const snapshotTimes = new WeakMap<SqlConnection, string>();

/**
 * The source server's UTC time (`YYYY-MM-DD hh:mm:ss.ffffff`) read just before `snap` opened: the
 * snapshot holds every transaction committed before it. Undefined for other sessions.
 */
export function snapshotTimeOf(snap: SqlConnection): string | undefined {
  return snapshotTimes.get(snap);
}

/**
 * Opens one consistent snapshot of the source: every read on this session sees the source as
 * of this moment, without locking anything writers need. `INSERT … SELECT` can not read from it
 * (InnoDB makes that a locking read), which is why the copy itself runs elsewhere and this
 * session only checksums and streams repair rows.
 */
export async function openSnapshot(connector: SqlConnector): Promise<SqlConnection> {
  const conn = await connector.connect();
  try {
    await prepareSession(conn);
    await conn.execute('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    // MySQL has no binlog position of a snapshot (MariaDB's binlog_snapshot_position): the binlog
    // file current *before* the snapshot is where a replay after a restore must start (see
    // src/catalog/source-state.ts).
    await noteBinlogBeforeSnapshot(conn);
    // Read just before the snapshot opens: everything committed before this instant is in it.
    const now = await conn.query<{ t: string }>("SELECT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%d %H:%i:%s.%f') AS t");
    if (now[0]) snapshotTimes.set(conn, now[0].t);
    await conn.execute('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
  } catch (error) {
    await conn.close();
    throw error;
  }
  return conn;
}

/** A session for server-side copies: READ COMMITTED, so `INSERT … SELECT` takes no row locks on the source. */
export async function openCopySession(connector: SqlConnector): Promise<SqlConnection> {
  // No default schema: every statement names its schemas, and the binlog then files these writes
  // to the report schema under no database, so `mariadb-binlog --database=<source>` (point-in-time
  // recovery of the source) leaves them out.
  const conn = await connector.connect({ database: null });
  try {
    await prepareSession(conn);
    await conn.execute('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
  } catch (error) {
    await conn.close();
    throw error;
  }
  return conn;
}
