/**
 * `sync --verify`: a full sync, then a verify of the published mirrors against the very snapshot
 * the sync copied from, before that snapshot closes and while the sync lock is still held. A
 * writer running beside it cannot show up as drift (the snapshot does not move), so this is the
 * verify that stays honest without change capture. It needs no capture and classifies nothing:
 * every difference found here is drift.
 *
 * The full sync reads every table through one snapshot session (run-sync.ts: the worker threads
 * copy server-side, and the repair pass and checksums go through that one session), so one
 * comparison in that session covers every table at the same point in time.
 */
import { prepareSession } from '../../src/db/sessions.js';
import { recordRun } from '../../src/history/record-run.js';
import { runSync, type SyncOptions, type SyncResult } from '../full/run-sync.js';
import { compareWithSnapshot, type VerifyResult } from './verify.js';

/** A full sync's result with the verify of its mirrors against its own snapshot. */
export type SyncVerifyResult = SyncResult & { verify?: VerifyResult };

/**
 * Runs a full sync and verifies its mirrors inside its snapshot; the verify is recorded in the
 * run history as a `verify` run of its own (so `status` shows it as the last verify). Drift does
 * not throw here: the sync published, the caller decides (the CLI exits 3 via requireNoDrift).
 */
export async function runSyncAndVerify(o: SyncOptions & { sampleSize?: number }): Promise<SyncVerifyResult> {
  let verify: VerifyResult | undefined;
  const clock = o.clock ?? (() => new Date());
  const result = await runSync({
    ...o,
    afterPublish: async (snap) => {
      verify = await recordRun(
        o.pipeline,
        { kind: 'verify', clock },
        async () => {
          const mirror = await o.pipeline.report.connect({ database: null });
          try {
            await prepareSession(mirror);
            return await compareWithSnapshot(o, snap, mirror, { classify: false, started: clock() });
          } finally {
            await mirror.close();
          }
        },
        (r) => ({ status: r.ok ? 'succeeded' : 'failed', details: r, ...(r.ok ? {} : { error: 'drift found' }) }),
      );
    },
  });
  return verify ? { ...result, verify } : result;
}
