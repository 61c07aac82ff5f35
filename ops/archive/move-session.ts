/**
 * The session archive, unarchive and forget move rows on: READ COMMITTED where the binary log
 * allows it. Their chunk transactions read parents and children with locking reads (FOR UPDATE)
 * through foreign-key indexes; under REPEATABLE READ those take next-key locks, i.e. also the gap
 * before each found index entry, so a writer inserting a row for another customer whose key falls
 * in such a gap (a new interaction of contact 4712 beside archived contact 4711) waits for the
 * chunk's commit. READ COMMITTED takes record locks only. Nothing the chunk relies on needs the
 * gaps: a new child of a locked row must take a shared lock on that row (InnoDB's foreign-key
 * check) and waits behind the chunk's exclusive lock anyway, so no dependent slips in between the
 * walk and the delete.
 *
 * MySQL/MariaDB fact: with log_bin on and binlog_format=STATEMENT, InnoDB refuses writes under READ
 * COMMITTED ("InnoDB is limited to row-logging when transaction isolation level is READ COMMITTED"):
 * such a server keeps REPEATABLE READ.
 */
import type { SqlConnection, SqlConnector } from '../../src/db/connection.js';

/** Opens a session with no default schema, READ COMMITTED unless statement-based binary logging forbids it. */
export async function openMoveSession(connector: SqlConnector): Promise<SqlConnection> {
  const conn = await connector.connect({ database: null });
  try {
    const [v] = await conn.query<{ b: number | string; f: string | null }>('SELECT @@GLOBAL.log_bin AS b, @@SESSION.binlog_format AS f');
    if (!(Number(v?.b) === 1 && String(v?.f).toUpperCase() === 'STATEMENT')) await conn.execute('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
  } catch (error) {
    await conn.close();
    throw error;
  }
  return conn;
}
