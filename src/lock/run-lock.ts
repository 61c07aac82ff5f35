/**
 * One run at a time across processes and hosts: a `GET_LOCK` held on a dedicated session of the
 * report server. The lock dies with the session, so a killed run never leaves it behind.
 */
import { createHash } from 'node:crypto';
import type { SqlConnection, SqlConnector } from '../db/connection.js';
import { LockBusyError } from '../errors.js';
import { emitRunEvent } from '../log/run-events.js';

/** A held run lock; `release` frees it (RELEASE_LOCK) and closes its session. */
export interface RunLock {
  /** The lock's name (see `lockName`). */
  readonly name: string;
  /** The session holding the lock; kept open for the run. */
  readonly session: SqlConnection;
  release(): Promise<void>;
}

/** MySQL limits lock names to 64 characters. */
export function lockName(scope: string, schema: string): string {
  const name = `dualpipe:${scope}:${schema}`;
  return name.length <= 64
    ? name
    : `dualpipe:${scope}:${createHash('sha256').update(schema).digest('hex').slice(0, 32)}`;
}

/**
 * Takes the lock, waiting up to `waitSeconds` (0: fail at once). Throws LockBusyError (exit 4)
 * when another run holds it, naming the holder when `describeHolder` can (history/lock-holder.ts).
 */
export async function acquireRunLock(
  connector: SqlConnector,
  name: string,
  options: { waitSeconds?: number; describeHolder?: (session: SqlConnection, name: string) => Promise<string | undefined> } = {},
): Promise<RunLock> {
  const session = await connector.connect({ database: null });
  try {
    const t0 = performance.now();
    const rows = await session.query<{ got: number | null }>('SELECT GET_LOCK(?, ?) AS got', [
      name,
      options.waitSeconds ?? 0,
    ]);
    const got = Number(rows[0]?.got) === 1;
    // The lock's scope (`sync`, `backup`, …) names it in metrics; a hashed name keeps its scope too.
    emitRunEvent({ type: 'lock-wait', kind: name.split(':')[1] ?? name, seconds: (performance.now() - t0) / 1000, got });
    if (!got) {
      // Best effort: the lock may be freed meanwhile, or the history unreadable; the exit 4 stands.
      const holder = await options.describeHolder?.(session, name).catch(() => undefined);
      throw new LockBusyError(name, holder ? { holder } : {});
    }
  } catch (error) {
    await session.close();
    throw error;
  }
  return {
    name,
    session,
    async release() {
      try {
        await session.query('SELECT RELEASE_LOCK(?)', [name]);
      } finally {
        await session.close();
      }
    },
  };
}
