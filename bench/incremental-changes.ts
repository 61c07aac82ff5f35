/**
 * Changes a share of the CRM's rows for the incremental rows of bench:sync: updates on every
 * table (updated_at moves; a share of transactions changes status, so reports change too),
 * inserted interactions, and contact deletes that cascade three levels down. Returns how many
 * rows changed, counted on the server.
 */
import type { SqlConnection } from '../src/db/connection.js';

const TABLES_WITH_ID = [
  'addresses', 'automation_runs', 'automation_triggers', 'catalog_items', 'contacts', 'interactions', 'opportunities',
  'opportunity_stage_history', 'organizations', 'pipeline_stages', 'transactions', 'transaction_items', 'users',
];

async function totalRows(conn: SqlConnection): Promise<number> {
  let n = 0;
  for (const t of [...TABLES_WITH_ID, 'contact_tags']) n += Number((await conn.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`))[0]!.n);
  return n;
}

/** `round` varies which contacts are deleted, so that repeated calls find contacts to delete. */
export async function changeShare(conn: SqlConnection, share: number, round = 0): Promise<{ updated: number; inserted: number; deleted: number; total: number }> {
  const before = await totalRows(conn);
  const upd = Math.max(2, Math.round(1 / (share * 0.6)));
  let updated = 0;
  for (const t of TABLES_WITH_ID) {
    updated += (await conn.execute(`UPDATE ${t} SET updated_at = updated_at + INTERVAL 1 SECOND WHERE id % ${upd} = 0`)).affectedRows;
  }
  updated += (await conn.execute(`UPDATE contact_tags SET updated_at = updated_at + INTERVAL 1 SECOND WHERE contact_id % ${upd} = 0`)).affectedRows;
  updated += (await conn.execute(`UPDATE transactions SET status = IF(status = 'paid', 'refunded', 'paid') WHERE id % ${upd * 3} = 1 AND status IN ('paid', 'refunded')`)).affectedRows;
  const ins = Math.max(2, Math.round(1 / (share * 1.5)));
  const inserted = (
    await conn.execute(
      `INSERT INTO interactions (contact_id, user_id, channel, direction, subject, body, occurred_at)
       SELECT contact_id, user_id, channel, direction, subject, body, NOW(6) FROM interactions WHERE id % ${ins} = 0`,
    )
  ).affectedRows;
  const del = Math.max(2, Math.round(1 / (share * 0.1)));
  await conn.execute(`DELETE FROM contacts WHERE id % ${del} = ${(3 + 17 * round) % del}`);
  const after = await totalRows(conn);
  const deleted = before + inserted - after;
  return { updated, inserted, deleted, total: updated + inserted + deleted };
}
