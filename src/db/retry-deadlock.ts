/**
 * Runs a statement again when the server chose it as a deadlock victim. For DDL this bites on
 * MySQL: `ALTER TABLE … ADD FOREIGN KEY` takes a metadata lock on the parent table as well (MySQL
 * 8's data dictionary records the child on the parent), so two ALTERs run at once on tables that
 * reference the same parent can deadlock; MySQL rolls the losing ALTER back whole (atomic DDL) and
 * reports ER_LOCK_DEADLOCK, so running it again is safe. MariaDB takes no such lock here.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** ER_LOCK_DEADLOCK: "Deadlock found when trying to get lock; try restarting transaction". */
const ER_LOCK_DEADLOCK = 1213;

/** True for the server's deadlock error. */
export function isDeadlock(error: unknown): boolean {
  return (error as { errno?: number } | null)?.errno === ER_LOCK_DEADLOCK;
}

/** `run()`, again up to `attempts` times in all while it fails with a deadlock, waiting a little longer each time. */
export async function retryOnDeadlock<T>(run: () => Promise<T>, attempts = 5, waitMs = 50): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (!isDeadlock(error) || attempt >= attempts) throw error;
      await sleep(waitMs * attempt);
    }
  }
}
