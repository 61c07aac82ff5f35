/** The CLI's check, capture, doctor, grants and archive actions load this (api/light.ts explains why). */
export { changeCaptureStatus, installChangeCapture, removeChangeCapture } from '../ops/change-capture.js';
export { checkTables } from '../ops/check-tables.js';
export { runDoctor } from '../ops/doctor/run-doctor.js';
export { runGrants } from '../ops/grants/apply-grants.js';
export { validateAccountParts } from '../ops/grants/grant-plan.js';
export { runArchive } from '../ops/archive/run-archive.js';
export { runUnarchive } from '../ops/archive/run-unarchive.js';
export { runForget } from '../ops/forget/run-forget.js';
export { reapplyErasures } from '../ops/forget/reapply-ledger.js';
