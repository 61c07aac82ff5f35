/** The CLI's `restore --from`/`--from-mirrors` (replace) loads this (api/light.ts explains why). */
export { describeLost } from '../backup/restore/count-lost-rows.js';
export { restoreThenSync } from '../ops/restore-then-sync.js';
export type { ErasureKey } from '../src/erasure/erasure-key.js';
export type { WithheldRows } from '../backup/restore/erasure-ledger-restore.js';
