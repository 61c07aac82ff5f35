/**
 * Makes a test server busy for as long as a test wants: K sessions each blocked in GET_LOCK on a
 * lock the helper holds. A session waiting for a user lock is executing a query, so each counts
 * in Threads_running (on MariaDB and MySQL) until `release()`.
 */
import { randomBytes } from 'node:crypto';
import type { SqlConnection, SqlConnector } from '../../src/db/connection.js';
import { readServerLoad } from '../../src/guard/server-load.js';

/** The busy sessions; `release()` lets them all finish and closes them. */
export interface BusyServer {
  release(): Promise<void>;
}

/** Starts `k` sessions blocked on a lock, and waits until the server counts them running. */
export async function busyServer(connector: SqlConnector, k: number): Promise<BusyServer> {
  const name = `dp_busy_${randomBytes(4).toString('hex')}`;
  const holder = await connector.connect();
  await holder.query('SELECT GET_LOCK(?, 5)', [name]);
  const sessions: SqlConnection[] = await Promise.all(Array.from({ length: k }, () => connector.connect()));
  // Each waiter takes the lock and gives it straight back, so the next one follows.
  const waiting = Promise.all(sessions.map((s) => s.query('SELECT GET_LOCK(?, 120) AS got, RELEASE_LOCK(?) AS released', [name, name])));
  waiting.catch(() => {});
  for (let i = 0; i < 500; i++) {
    const load = await readServerLoad(holder, ['Threads_running']);
    if ((load.get('threads_running') ?? 0) > k) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    async release() {
      await holder.query('SELECT RELEASE_LOCK(?)', [name]);
      await waiting;
      await Promise.all([holder, ...sessions].map((s) => s.close()));
    },
  };
}

/** A logger that keeps each message line (for asserting on what a run logged). */
export function lineLogger(): { lines: string[]; logger: { debug: Log; info: Log; warn: Log; error: Log } } {
  const lines: string[] = [];
  const push: Log = (o, m) => lines.push(m ?? (typeof o === 'string' ? o : ''));
  return { lines, logger: { debug: push, info: push, warn: push, error: push } };
}

type Log = (o: object | string, m?: string) => void;
