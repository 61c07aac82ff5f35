/**
 * Whether reading the replica status needs a grant of its own on this server. `--max-lag` reads
 * `SHOW REPLICA STATUS` on a source that is a replica. MySQL grants it with REPLICATION CLIENT,
 * which the sync role has; MariaDB 10.5.9+ split it off into SLAVE MONITOR (alias REPLICA
 * MONITOR), so a sync account on a MariaDB replica could not throttle on lag. Granted only where
 * the server is a replica now: a primary's account gets nothing it does not use.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { readServerInfo } from '../../src/db/server-info.js';

/** The privilege, as MariaDB 10.11's SHOW GRANTS prints it (doctor compares by name). */
export const REPLICA_STATUS_PRIVILEGE = 'SLAVE MONITOR';

/** True on a MariaDB server that replicates from a primary (read as an administrative account). */
export async function needsReplicaStatusGrant(conn: SqlConnection): Promise<boolean> {
  if ((await readServerInfo(conn)).flavor !== 'mariadb') return false;
  const rows = await conn.query('SHOW SLAVE STATUS').catch(() => []);
  return rows.length > 0;
}
