import { setTimeout as sleep } from 'node:timers/promises';
import type { SqlConnection } from '../../src/db/connection.js';

/** After a SIGKILL the server may still finish the statement in flight; wait until no session works on the schemas. */
export async function waitQuiet(conn: SqlConnection, schemas: readonly string[]): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const busy = await conn.query(
      `SELECT 1 FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND COMMAND <> 'Sleep' AND (${schemas.map(() => 'INFO LIKE ?').join(' OR ')})`,
      schemas.map((s) => `%${s}%`),
    );
    if (busy.length === 0) return;
    await sleep(50);
  }
  throw new Error('the report schema did not become quiet');
}
