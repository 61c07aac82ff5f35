import { setTimeout as sleep } from 'node:timers/promises';
import type { SqlConnection } from '../db/connection.js';
import type { Logger } from '../log/logger.js';

const LOCK_WAIT_ERRNO = 1205; // ER_LOCK_WAIT_TIMEOUT, also raised for metadata lock waits

/** How `publishTables` gets the metadata locks its statements need without making analysts wait. */
export interface PublishOptions {
  /** MariaDB accepts lock_wait_timeout = 0 (fail at once); MySQL's minimum is 1 second. */
  flavor: 'mariadb' | 'mysql';
  /** How long to keep trying without ever making analysts wait, before waiting in line. */
  politeMs: number;
  /** Attempts of the waiting kind (1 s each) after the polite phase. */
  attempts?: number;
  /** Hears of each retry in the waiting phase. */
  logger: Logger;
}

async function runAll(conn: SqlConnection, statements: readonly string[]): Promise<void> {
  try {
    for (const sql of statements) await conn.execute(sql);
  } catch (error) {
    if (statements.some((s) => s.startsWith('LOCK TABLES')))
      await conn.execute('UNLOCK TABLES').catch(() => {});
    throw error;
  }
}

const isLockWait = (error: unknown) => (error as { errno?: number }).errno === LOCK_WAIT_ERRNO;

/**
 * Runs the publish statements (one RENAME for `swap`). RENAME needs an exclusive metadata lock on
 * every table, and while it waits, new analyst queries queue behind it. So on MariaDB it first
 * tries with lock_wait_timeout = 0, again and again, until it finds a moment when no analyst query
 * holds the tables: analysts never wait for it. Only after `politeMs` (a report table busy with a
 * very long query) does it wait in line, 1 s at a time, with back-off between attempts.
 */
export async function publishTables(
  conn: SqlConnection,
  statements: readonly string[],
  options: PublishOptions,
): Promise<{ attempts: number }> {
  try {
    return await publishPolitely(conn, statements, options);
  } finally {
    // The session goes on with DDL of its own (drops, triggers): back to the server's wait.
    await conn.execute('SET SESSION lock_wait_timeout = DEFAULT').catch(() => {});
  }
}

async function publishPolitely(
  conn: SqlConnection,
  statements: readonly string[],
  options: PublishOptions,
): Promise<{ attempts: number }> {
  let attempts = 0;
  if (options.flavor === 'mariadb') {
    await conn.execute('SET SESSION lock_wait_timeout = 0');
    const deadline = Date.now() + options.politeMs;
    for (;;) {
      attempts++;
      try {
        await runAll(conn, statements);
        return { attempts };
      } catch (error) {
        if (!isLockWait(error)) throw error;
        if (Date.now() > deadline) break;
        await sleep(2 + Math.random() * 8);
      }
    }
  }
  await conn.execute('SET SESSION lock_wait_timeout = 1');
  const max = options.attempts ?? 30;
  for (let i = 1; ; i++) {
    attempts++;
    try {
      await runAll(conn, statements);
      return { attempts };
    } catch (error) {
      if (!isLockWait(error) || i >= max) throw error;
      options.logger.warn({ attempt: i }, 'report tables busy (long analyst query?): retrying the swap');
      await sleep(Math.min(200 * i, 2_000));
    }
  }
}
