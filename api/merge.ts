/** The CLI's `restore --mode merge`, `--rollback` and `--drop-previous` load this (api/light.ts explains why). */
export { dropPreviousAndRecord, mergeAndRecord, rollbackAndRecord } from '../ops/record-restore-actions.js';
