/** The CLI's `backup list`, `prune` and `verify` actions load this (api/light.ts explains why). */
export { listBackups } from '../backup/dump/inventory.js';
export { verifyAndRecordBackup } from '../ops/record-verification.js';
export { pruneAndRecord } from '../ops/prune-and-record.js';
export { readLiveErasures } from '../backup/dump/forgotten-backups.js';
export type { KnownErasure } from '../backup/dump/forgotten-backups.js';
