/**
 * The `publish` step of an incremental run: journal first (the next run needs it), then the shadow
 * set's marker and freshness rows, then ONE RENAME that swaps every live table with its shadow
 * (report schema ↔ internal schema) together with the markers and the freshness table, so the
 * live set, its generation and what `dualpipe_freshness` says can never disagree.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { readServerInfo } from '../../src/db/server-info.js';
import { publishTables } from '../../src/catalog/publish-tables.js';
import type { Logger } from '../../src/log/logger.js';
import type { KeySet } from '../capture/change-log.js';
import { ensureFreshnessView, FRESHNESS_TABLE, stageFreshness } from '../shadow/freshness.js';
import { purgeJournal, writeJournal } from '../shadow/journal.js';
import { GENERATION_TABLE, shadowName, swapSql, writeGeneration } from '../shadow/shadow-set.js';

/** What `publishShadow` needs of the run. */
export interface PublishShadowInput {
  reportSchema: string;
  runId: number;
  /** The live run id before this run: the journal up to it is no longer needed after the swap. */
  liveRunId: number;
  /** Every live table swapped (mirrors and reports). */
  tables: readonly string[];
  /** Which of `tables` are mirrors (the rest are reports). */
  mirrors: ReadonlySet<string>;
  /** The source snapshot time (UTC) the shadow set reflects. */
  snapshotAt: string;
  /** Where binlog capture resumes from this set (resume-position.ts); null when unknown. */
  resume: string | null;
  /** This run's keys, journaled for the next run. */
  own: Map<string, KeySet>;
  swapWaitMs: number | undefined;
  log: Logger;
  throwIfAborted: () => void;
}

/** Journals, stamps and swaps the shadow set in; returns the swap's attempts. */
export async function publishShadow(admin: SqlConnection, o: PublishShadowInput): Promise<{ attempts: number }> {
  const rep = o.reportSchema;
  await writeJournal(admin, rep, o.runId, o.own);
  await writeGeneration(admin, rep, shadowName(GENERATION_TABLE), { runId: o.runId, dirty: false, binlog: o.resume });
  await ensureFreshnessView(admin, rep);
  const entries = o.tables.map((t) => ({ table: t, kind: o.mirrors.has(t) ? ('mirror' as const) : ('report' as const) }));
  await stageFreshness(admin, rep, shadowName(FRESHNESS_TABLE), entries, { runId: o.runId, snapshotAt: o.snapshotAt }, false);
  o.throwIfAborted();
  const published = await publishTables(admin, [swapSql(rep, o.tables, [GENERATION_TABLE, FRESHNESS_TABLE])], {
    flavor: (await readServerInfo(admin)).flavor,
    politeMs: o.swapWaitMs ?? 10_000,
    logger: o.log,
  });
  // The shadow is now the old live set: the journal before it is no longer needed.
  await purgeJournal(admin, rep, o.liveRunId).catch(() => {});
  return published;
}
