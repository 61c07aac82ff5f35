/**
 * The two readings the throttle takes from a server: status counters (`SHOW GLOBAL STATUS`) and,
 * when the server is a replica, its replication lag. One round trip each; nothing cached here.
 */
import type { SqlConnection } from '../db/connection.js';
import { DualpipeError } from '../errors.js';

/**
 * Reads the named `SHOW GLOBAL STATUS` counters; the map is keyed by lower-case name, and a name
 * the server does not have is absent (the throttle says so instead of treating it as 0).
 */
export async function readServerLoad(session: SqlConnection, names: readonly string[]): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  if (names.length === 0) return found;
  // Variable_name compares case-insensitively (utf8 general collation) on both servers.
  const rows = await session.query<{ Variable_name: string; Value: string }>(
    `SHOW GLOBAL STATUS WHERE Variable_name IN (${names.map(() => '?').join(', ')})`,
    names,
  );
  for (const r of rows) found.set(String(r.Variable_name).toLowerCase(), Number(r.Value));
  return found;
}

/** A replica's lag: `null` when the server is no replica; `Infinity` when it cannot be known. */
export type ReplicaLag = number | null;

/**
 * The replication lag of the server in seconds, the largest over its replication channels.
 * MySQL 8.0.22+ says `SHOW REPLICA STATUS` and `Seconds_Behind_Source` (9.x no longer knows
 * `SHOW SLAVE STATUS`); MariaDB 10.5+ accepts `SHOW REPLICA STATUS` but still names the column
 * `Seconds_Behind_Master`; older servers only know `SHOW SLAVE STATUS`. So the newer statement is
 * tried first, the older one on a syntax error, and whichever column is present is read. No rows:
 * not a replica, so no lag. A NULL lag means the replication threads are stopped or broken: the lag
 * is unknown and may grow without bound, so it counts as over every limit (pt-osc does the same).
 */
export async function readReplicaLag(session: SqlConnection): Promise<ReplicaLag> {
  let rows: Record<string, unknown>[];
  try {
    rows = await session.query('SHOW REPLICA STATUS');
  } catch (error) {
    // ER_PARSE_ERROR (1064): a server older than the REPLICA spelling.
    if ((error as { errno?: number }).errno !== 1064) throw lagError(error);
    rows = await session.query('SHOW SLAVE STATUS').catch((e: unknown) => {
      throw lagError(e);
    });
  }
  if (rows.length === 0) return null;
  let lag = 0;
  for (const r of rows) {
    const value = r.Seconds_Behind_Source ?? r.Seconds_Behind_Master;
    lag = Math.max(lag, value === null || value === undefined ? Infinity : Number(value));
  }
  return lag;
}

function lagError(cause: unknown): DualpipeError {
  return new DualpipeError(`--max-lag: cannot read the replica status: ${(cause as Error).message}`, {
    cause,
    hint: 'grant REPLICATION CLIENT (MySQL) or REPLICA MONITOR (MariaDB 10.5+) to the user, or drop --max-lag',
  });
}
