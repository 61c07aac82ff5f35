/**
 * doctor's line for MySQL's primary-key settings. `sql_require_primary_key=ON` refuses keyless
 * tables (MyISAM too) and `sql_generate_invisible_primary_key=ON` adds `my_row_id` to keyless InnoDB
 * tables; dualpipe's sessions turn both off for themselves (src/db/keyless-tables.ts), which needs
 * SESSION_VARIABLES_ADMIN. Nothing to say when both are off or the server has neither (MariaDB).
 */
import type { SqlConnection } from '../../src/db/connection.js';
import type { ServerlessCheck } from './doctor-check.js';

/** What the session found: the variables that are on, and whether this account could turn them off. */
export interface KeylessFacts {
  on: string[];
  canTurnOff: boolean;
}

/** The verdict on those facts; undefined when there is nothing to say. Pure. */
export function keylessVerdict(f: KeylessFacts): ServerlessCheck | undefined {
  if (f.on.length === 0) return undefined;
  const set = f.on.map((n) => `${n}=ON`).join(', ');
  if (f.canTurnOff) return { name: 'keyless tables', verdict: 'pass', detail: `${set}: dualpipe's sessions turn it off for themselves` };
  return {
    name: 'keyless tables',
    verdict: 'warn',
    detail: `${set} and this account cannot change it for its session: keyless tables cannot be mirrored or restored as they are`,
    fix: "GRANT SESSION_VARIABLES_ADMIN ON *.* TO the account dualpipe uses, or give every table a primary key",
  };
}

/** Reads the two variables and tries turning them off on this session (doctor's own). */
export async function checkKeylessTables(conn: SqlConnection): Promise<ServerlessCheck | undefined> {
  const on: string[] = [];
  for (const name of ['sql_require_primary_key', 'sql_generate_invisible_primary_key']) {
    const rows = await conn.query<{ Value: string }>('SHOW SESSION VARIABLES LIKE ?', [name]);
    if (rows[0]?.Value === 'ON') on.push(name);
  }
  let canTurnOff = true;
  for (const name of on) await conn.execute(`SET SESSION ${name} = OFF`).catch(() => (canTurnOff = false));
  return keylessVerdict({ on, canTurnOff });
}
