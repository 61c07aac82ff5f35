/** The CLI's `sync` and `verify` actions load this (api/light.ts explains why). */
export { runSync } from '../sync/full/run-sync.js';
export { runIncrementalSync } from '../sync/incremental/run-incremental.js';
export { driftedTables, verifyMirrors } from '../sync/verify/verify.js';
export { runSyncAndVerify } from '../sync/verify/sync-and-verify.js';
export { requireNoDrift } from '../ops/require-no-drift.js';
