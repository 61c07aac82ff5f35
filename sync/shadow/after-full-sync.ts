/**
 * What a full sync owes the incremental runs' bookkeeping (shadow-set.ts, journal.ts). A full sync
 * replaces the live set, so the shadow set and the key journal describe a set that is gone:
 * - before the swap the shadow set is dropped: it holds an older generation and must never be
 *   swapped in by a later incremental run;
 * - after the swap a whole run (swap strategy, every table) marks the live set with its run id
 *   and binlog resume position, and forgets the journal up to it, so the next incremental run can build on it; a partial or
 *   in-place run drops the marker instead, and incremental runs fall back to a full sync;
 * - the freshness rows of the tables it builds are published with them (withFreshness).
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import { purgeJournal } from './journal.js';
import { internalSchemaOf } from '../../src/catalog/internal-schema.js';
import { dropShadowSet, GENERATION_TABLE, readGeneration, writeGeneration } from './shadow-set.js';
import { ensureFreshnessView, FRESHNESS_TABLE, type FreshnessEntry, freshnessPublish, type FreshnessStamp, stageFreshness } from './freshness.js';
import { tempName } from '../../src/catalog/temp-names.js';
import { readCaptureMethod } from '../capture/capture-method.js';
export { oldSetKeeper } from './keep-old-set.js';
export { readFullSyncChanges } from './trigger-catch-up.js';

/** Binlog capture: the live set's resume position, before a full sync replaces it; null otherwise. */
export async function liveResumePosition(admin: SqlConnection, reportSchema: string): Promise<string | null> {
  if ((await readCaptureMethod(admin, reportSchema)).method !== 'binlog') return null;
  return (await readGeneration(admin, reportSchema, GENERATION_TABLE))?.binlog ?? null;
}

/** Before a full sync's swap: drops the shadow set (stale once the live set is replaced). */
export async function retireShadowSet(admin: SqlConnection, reportSchema: string): Promise<void> {
  await dropShadowSet(admin, reportSchema);
}

/**
 * After a full sync's swap: `whole` (swap strategy over every table) writes the live generation
 * marker and purges the journal before `runId`; otherwise drops the marker.
 */
export async function markFullSyncGeneration(
  admin: SqlConnection,
  reportSchema: string,
  o: { runId: number; whole: boolean; resume: string | null },
): Promise<void> {
  if (o.whole) {
    // After the swap, not in it: a run killed in between leaves the older marker, whose resume
    // position lies before this set's snapshot, so binlog capture re-reads more, never less.
    await writeGeneration(admin, reportSchema, GENERATION_TABLE, { runId: o.runId, dirty: false, binlog: o.resume });
    // Before this run: a kept set's catch-up keys are journaled under this run's id (keep-old-set.ts).
    await purgeJournal(admin, reportSchema, o.runId - 1);
  } else {
    await admin.execute(`DROP TABLE IF EXISTS ${qualify(internalSchemaOf(reportSchema), GENERATION_TABLE)}`);
  }
}

/**
 * Stages the freshness rows of a full sync's tables and adds their publish to `publishSql`: into the
 * publishing RENAME itself for the swap strategy (one statement: tables and rows never disagree);
 * for the in-place strategy (no single RENAME), as one RENAME right after. Returns the statements,
 * and the drop of the old freshness table to run after them.
 */
export async function withFreshness(
  admin: SqlConnection,
  reportSchema: string,
  o: { entries: readonly FreshnessEntry[]; stamp: FreshnessStamp; publishSql: readonly string[]; swap: boolean },
): Promise<{ publishSql: string[]; drop: string }> {
  await ensureFreshnessView(admin, reportSchema);
  await stageFreshness(admin, reportSchema, tempName('new', FRESHNESS_TABLE), o.entries, o.stamp, true);
  const f = freshnessPublish(reportSchema);
  const sql = [...o.publishSql];
  const last = sql.length - 1;
  if (o.swap && last >= 0 && sql[last]!.startsWith('RENAME TABLE ')) sql[last] = `${sql[last]!}, ${f.pairs}`;
  else sql.push(`RENAME TABLE ${f.pairs}`);
  return { publishSql: sql, drop: f.drop };
}
