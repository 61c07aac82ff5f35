/** Table and user locks seen from outside a run: for tests that stop a run at a known point. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SqlConnector } from '../../src/db/connection.js';

/** Waits until the server says the lock is free (the frozen run's session was closed); false after `ms`. */
export async function lockFreed(report: SqlConnector, name: string, ms = 10_000): Promise<boolean> {
  const conn = await report.connect({ database: null });
  try {
    for (const until = Date.now() + ms; Date.now() < until; await sleep(100)) {
      const r = await conn.query<{ f: number | string }>('SELECT IS_FREE_LOCK(?) AS f', [name]);
      if (Number(r[0]?.f) === 1) return true;
    }
    return false;
  } finally {
    await conn.close();
  }
}

/**
 * Holds `LOCK TABLES <table> WRITE` (or READ) on a session of its own, so a run that needs the
 * table waits on the server: a statement that is silent but alive, frozen then at a known point.
 */
export async function holdLock(report: SqlConnector, table: string, mode: 'READ' | 'WRITE') {
  const conn = await report.connect({ database: null });
  await conn.execute(`LOCK TABLES ${table} ${mode}`);
  return {
    async release() {
      await conn.execute('UNLOCK TABLES').catch(() => {});
      await conn.close().catch(() => conn.destroy());
    },
  };
}

/** Waits until some session waits for a table lock (the run has reached the held table). */
export async function someoneWaits(report: SqlConnector, ms = 60_000): Promise<void> {
  const conn = await report.connect({ database: null });
  try {
    for (const until = Date.now() + ms; Date.now() < until; await sleep(50)) {
      const r = await conn.query("SELECT ID FROM information_schema.PROCESSLIST WHERE STATE LIKE 'Waiting for table%'");
      if (r.length > 0) return;
    }
    throw new Error('no session ever waited for the held table lock');
  } finally {
    await conn.close();
  }
}
