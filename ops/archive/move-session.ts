/**
 * The session archive, unarchive and forget move rows on: READ COMMITTED where the binary log
 * allows it, and key lists planned from the index itself.
 *
 * Isolation. Their chunk transactions read parents and children with locking reads (FOR UPDATE)
 * through foreign-key indexes; under REPEATABLE READ those take next-key locks, i.e. also the gap
 * before each found index entry, so a writer inserting a row for another customer whose key falls
 * in such a gap (a new interaction of contact 4712 beside archived contact 4711) waits for the
 * chunk's commit. READ COMMITTED takes record locks only. Nothing the chunk relies on needs the
 * gaps: a new child of a locked row must take a shared lock on that row (InnoDB's foreign-key
 * check) and waits behind the chunk's exclusive lock anyway, so no dependent slips in between the
 * walk and the delete.
 * MySQL/MariaDB fact: with log_bin on and binlog_format=STATEMENT, InnoDB refuses writes under READ
 * COMMITTED ("InnoDB is limited to row-logging when transaction isolation level is READ COMMITTED"):
 * such a server keeps REPEATABLE READ.
 *
 * Key lists. Every statement of a chunk names its rows with `col IN (…up to 1000 keys…)`. Past
 * `eq_range_index_dive_limit` values (default 200) both servers estimate such a range from the
 * index statistics instead of the index, and InnoDB's sampled statistics can be far off (right
 * after a bulk load they said 2 distinct values for 280,000 rows): the optimizer then scanned the
 * whole foreign-key index under FOR UPDATE, 0.25 s a statement instead of 2 ms, and locked it all.
 * The session sets the limit to 0 (always dive: a B-tree descent per key, microseconds). MariaDB
 * also rewrites an IN list of `in_predicate_conversion_threshold` (1000) values or more into a
 * join with a derived table, which met the same statistics with the same full scan; the session
 * turns that off (0) where the variable exists.
 *
 * SQL mode. MySQL's default mode (strict, NO_ZERO_DATE) refused to copy a row holding a zero date
 * ("Incorrect datetime value: '0000-00-00 00:00:00'"), which old data and non-strict writers leave:
 * such a row could never be archived. The session copies without strict mode, under
 * `NO_AUTO_VALUE_ON_ZERO` as the sync's sessions do (src/db/sessions.ts; an id of 0 stays 0), and
 * every copy is checked value for value before anything is deleted (copy-check.ts), so a value the
 * copy changed refuses the chunk instead. `NO_ENGINE_SUBSTITUTION` stays: with MyISAM disabled
 * (`disabled_storage_engines`), `CREATE TABLE … ENGINE=MyISAM` for the archive must fail, not make
 * InnoDB tables that the archive's backup part (MyISAM tables only) would leave out. The time zone stays the server's: the filter's NOW() means what the DBA expects.
 */
import type { SqlConnection, SqlConnector } from '../../src/db/connection.js';

/** Opens a session with no default schema, READ COMMITTED unless statement-based binary logging forbids it, key lists planned by index dives, zero dates copied. */
export async function openMoveSession(connector: SqlConnector): Promise<SqlConnection> {
  const conn = await connector.connect({ database: null });
  try {
    const [v] = await conn.query<{ b: number | string; f: string | null }>('SELECT @@GLOBAL.log_bin AS b, @@SESSION.binlog_format AS f');
    if (!(Number(v?.b) === 1 && String(v?.f).toUpperCase() === 'STATEMENT')) await conn.execute('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
    await conn.execute("SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'");
    await conn.execute('SET SESSION eq_range_index_dive_limit = 0');
    const conversion = await conn.query("SHOW SESSION VARIABLES LIKE 'in\\_predicate\\_conversion\\_threshold'");
    if (conversion.length > 0) await conn.execute('SET SESSION in_predicate_conversion_threshold = 0');
  } catch (error) {
    await conn.close();
    throw error;
  }
  return conn;
}
