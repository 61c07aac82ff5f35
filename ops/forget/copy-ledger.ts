/**
 * The ledger's entries copied from the source side to the report side (`<report>__dualpipe`,
 * MyISAM), where every backup dumps them. Idempotent and kill-safe: an entry's hashes are written
 * before the entry itself, so an entry present on the report side is a complete one, and a rerun
 * copies exactly the entries still missing. MyISAM: each statement is its own (no transaction).
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import { ensureLedgerTables, hasLedgerTables, LEDGER_KEYS_TABLE, LEDGER_TABLE } from '../../src/erasure/ledger-tables.js';
import { appendErasure, readLedger } from '../../src/erasure/ledger.js';

/** Ids of the source ledger's entries the report ledger does not hold yet: erasures not yet published. */
export async function unpublishedEntries(sourceConn: SqlConnection, sourceLedger: string, reportConn: SqlConnection, reportLedger: string): Promise<string[]> {
  if (!(await hasLedgerTables(sourceConn, sourceLedger))) return [];
  const ids = (await sourceConn.query<{ id: string }>(`SELECT erasure_id AS id FROM ${qualify(sourceLedger, LEDGER_TABLE)} ORDER BY erased_at, erasure_id`)).map((r) => r.id);
  if (ids.length === 0 || !(await hasLedgerTables(reportConn, reportLedger))) return ids;
  const have = new Set((await reportConn.query<{ id: string }>(`SELECT erasure_id AS id FROM ${qualify(reportLedger, LEDGER_TABLE)}`)).map((r) => r.id));
  return ids.filter((id) => !have.has(id));
}

/** Copies the entries `ids` (with their hashes) from the source ledger to the report ledger; returns how many. */
export async function copyLedgerEntries(sourceConn: SqlConnection, sourceLedger: string, reportConn: SqlConnection, reportLedger: string, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  await ensureLedgerTables(reportConn, reportLedger, 'report');
  const entries = new Map((await readLedger(sourceConn, sourceLedger)).entries.map((e) => [e.id, e]));
  for (const id of ids) {
    const entry = entries.get(id);
    if (!entry) continue;
    const rows: unknown[][] = [];
    const flush = async () => {
      if (rows.length === 0) return;
      await reportConn.execute(`INSERT IGNORE INTO ${qualify(reportLedger, LEDGER_KEYS_TABLE)} (table_name, key_hash, erasure_id) VALUES ${rows.map(() => '(?, ?, ?)').join(', ')}`, rows.flat());
      rows.length = 0;
    };
    // Hashes first, then the entry (appendErasure with no hashes writes the entry alone): see the file comment.
    for await (const [table, hash] of sourceConn.stream(`SELECT table_name, key_hash FROM ${qualify(sourceLedger, LEDGER_KEYS_TABLE)} WHERE erasure_id = ?`, [id])) {
      rows.push([table, hash, id]);
      if (rows.length >= 500) await flush();
    }
    await flush();
    await appendErasure(reportConn, reportLedger, entry, new Map());
  }
  return ids.length;
}
