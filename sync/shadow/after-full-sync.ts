/**
 * What a full sync owes the incremental runs' bookkeeping (shadow-set.ts, journal.ts). A full sync
 * replaces the live set, so the shadow set and the key journal describe a set that is gone:
 * - before the swap the shadow set is dropped: it holds an older generation and must never be
 *   swapped in by a later incremental run;
 * - after the swap a whole run (swap strategy, every table) marks the live set with its run id
 *   and forgets the journal up to it, so the next incremental run can build on it; a partial or
 *   in-place run drops the marker instead, and incremental runs fall back to a full sync.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import { purgeJournal } from './journal.js';
import { dropShadowSet, GENERATION_TABLE, writeGeneration } from './shadow-set.js';

/** Before a full sync's swap: drops the shadow set (stale once the live set is replaced). */
export async function retireShadowSet(admin: SqlConnection, reportSchema: string): Promise<void> {
  await dropShadowSet(admin, reportSchema);
}

/**
 * After a full sync's swap: `whole` (swap strategy over every table) writes the live generation
 * marker and purges the journal up to `runId`; otherwise drops the marker.
 */
export async function markFullSyncGeneration(
  admin: SqlConnection,
  reportSchema: string,
  o: { runId: number; whole: boolean },
): Promise<void> {
  if (o.whole) {
    await writeGeneration(admin, reportSchema, GENERATION_TABLE, { runId: o.runId, dirty: false });
    await purgeJournal(admin, reportSchema, o.runId);
  } else {
    await admin.execute(`DROP TABLE IF EXISTS ${qualify(reportSchema, GENERATION_TABLE)}`);
  }
}
