import { setTimeout as sleep } from 'node:timers/promises';
import type { SqlConnection } from '../src/db/connection.js';
import type { Logger } from '../src/log/logger.js';

const LOCK_WAIT_ERRNO = 1205; // ER_LOCK_WAIT_TIMEOUT, also raised for metadata lock waits

/**
 * Runs the publish statements (one RENAME for `swap`). RENAME needs an exclusive metadata lock
 * on every table, and while it waits, new analyst queries queue behind it: so it waits at most
 * `lockWaitSeconds` (MySQL's minimum is 1 s) and retries with back-off instead of stalling readers.
 */
export async function publishTables(
  conn: SqlConnection,
  statements: readonly string[],
  options: { lockWaitSeconds: number; attempts?: number; logger: Logger },
): Promise<{ attempts: number }> {
  const attempts = options.attempts ?? 30;
  await conn.execute(`SET SESSION lock_wait_timeout = ${Math.max(1, Math.ceil(options.lockWaitSeconds))}`);
  for (let i = 1; ; i++) {
    try {
      for (const sql of statements) await conn.execute(sql);
      return { attempts: i };
    } catch (error) {
      const errno = (error as { errno?: number }).errno;
      if (errno !== LOCK_WAIT_ERRNO || i >= attempts) {
        if (statements.some((s) => s.startsWith('LOCK TABLES')))
          await conn.execute('UNLOCK TABLES').catch(() => {});
        throw error;
      }
      options.logger.warn({ attempt: i }, 'report tables busy (long analyst query?): retrying the swap');
      await sleep(Math.min(200 * i, 2_000));
    }
  }
}
