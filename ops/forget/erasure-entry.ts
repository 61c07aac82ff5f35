/** A ledger entry for rows about to be erased: its id, the server's UTC time and account, and the counts (never the data). */
import { randomUUID } from 'node:crypto';
import type { SqlConnection } from '../../src/db/connection.js';
import type { ErasureKey } from '../../src/erasure/erasure-key.js';
import type { ErasureEntry } from '../../src/erasure/ledger.js';

/** Builds the entry; `erasedAt` and `erasedBy` come from the server (UTC_TIMESTAMP(6), CURRENT_USER()). */
export async function erasureEntry(
  conn: SqlConnection,
  o: { reason: string; schema: string; root: string; key: ErasureKey; counts: ReadonlyMap<string, number> },
): Promise<ErasureEntry> {
  const [now] = await conn.query<{ at: string; who: string }>("SELECT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ') AS at, CURRENT_USER() AS who");
  const rowCounts = Object.fromEntries([...o.counts].filter(([, n]) => n > 0));
  return {
    id: randomUUID(),
    erasedAt: String(now!.at),
    erasedBy: String(now!.who),
    reason: o.reason,
    sourceSchema: o.schema,
    rootTable: o.root,
    keyId: o.key.id,
    rowCounts,
    totalRows: Object.values(rowCounts).reduce((a, b) => a + b, 0),
  };
}
