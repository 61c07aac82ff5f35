/**
 * Publishing an erasure to the mirrors and reports at once: the sync this deployment uses
 * (incremental when change capture is installed, which falls back to a full sync by itself when it
 * must) builds the shadow set without the subject and swaps it in with one atomic RENAME, so no
 * reader ever sees half of it. Then the new ledger entries are copied to the report side, so every
 * later backup carries them. "Pending" is read from the ledgers themselves (source entries missing
 * on the report side), so a run killed after the source commit is finished by the next one.
 */
import { ensureInternalSchema, internalSchemaOf } from '../../src/catalog/internal-schema.js';
import type { SqlConnection } from '../../src/db/connection.js';
import { DualpipeError } from '../../src/errors.js';
import type { Pipeline } from '../../src/pipeline.js';
import type { IncrementalOptions } from '../../sync/incremental/incremental-types.js';
import { runIncrementalSync } from '../../sync/incremental/run-incremental.js';
import { copyLedgerEntries, unpublishedEntries } from './copy-ledger.js';
import type { ForgetPublish } from './forget-result.js';

/** The sync options a forget's publish runs with (the `sync` command's, without the pipeline). */
export type PublishSyncOptions = Omit<IncrementalOptions, 'pipeline' | 'dryRun'>;

/** Ids of erasures committed on the source and not yet published to the report side. */
export async function pendingErasures(sourceConn: SqlConnection, pipeline: Pipeline): Promise<string[]> {
  const report = await pipeline.report.connect({ database: null });
  try {
    return await unpublishedEntries(sourceConn, internalSchemaOf(pipeline.sourceSchema), report, internalSchemaOf(pipeline.reportSchema));
  } finally {
    await report.close();
  }
}

/**
 * Runs the sync, then copies the entries `pending` to the report ledger. A failed sync is a DualpipeError saying where the subject still is.
 * Nothing pending: no sync, unless `always` (the source changed for another reason: a reapply).
 */
export async function publishErasure(sourceConn: SqlConnection, pipeline: Pipeline, pending: readonly string[], sync: PublishSyncOptions = {}, always = false): Promise<ForgetPublish> {
  if (pending.length === 0 && !always) return { sync: 'none', entriesCopied: 0 };
  let kind: 'incremental' | 'full';
  let runId: number | string | undefined;
  try {
    const r = await runIncrementalSync({ ...sync, pipeline });
    kind = r.kind === 'incremental' ? 'incremental' : 'full';
    runId = r.runId ?? undefined;
  } catch (error) {
    // Exit 1 (a DualpipeError): the erasure stands on the source and in the archive; only the publish is owed.
    throw new DualpipeError(
      `forget: erased from the source and the archive, but the sync that publishes it failed: the mirrors and reports still hold the subject until a sync succeeds (${error instanceof Error ? error.message : String(error)})`,
      { hint: 'fix the cause and run `dualpipe forget` again with the same --where (it publishes what is pending), or run `dualpipe sync`', cause: error },
    );
  }
  const report = await pipeline.report.connect({ database: null });
  try {
    const ledger = await ensureInternalSchema(report, pipeline.reportSchema);
    const copied = await copyLedgerEntries(sourceConn, internalSchemaOf(pipeline.sourceSchema), report, ledger, pending);
    return { sync: kind, ...(runId !== undefined ? { syncRunId: runId } : {}), entriesCopied: copied };
  } finally {
    await report.close();
  }
}
