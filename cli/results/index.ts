/**
 * Every command's `--json` document, by the name of its schema file: `npm run gen:json-schemas`
 * writes `schemas/json/<name>.schema.json` from this list (test/cli/results/json-schemas.test.ts
 * fails when the committed files are stale). A new command joins the contract with one file here
 * (its zod result via `commandDocument`) and one line in `RESULTS`.
 */
import { z } from 'zod';
import { archiveResult, unarchiveResult } from './archive.js';
import { forgetReapplyResult, forgetResult } from './forget.js';
import { backupKeygenResult, backupListResult, backupPruneResult, backupResult, backupVerifyResult } from './backup.js';
import { captureInstallResult, captureRemoveResult, captureStatusResult } from './capture.js';
import { dbStartResult, dbStatusResult, dbStopResult, dbUrlResult } from './db.js';
import { migrateResult } from './migrate.js';
import { checkResult, doctorResult, grantsResult, scheduleResult } from './ops.js';
import { reportCheckResult, reportListResult, reportNewResult } from './report.js';
import { restoreResult } from './restore.js';
import { seedResult } from './seed.js';
import { statusCheckResult, statusResult } from './status.js';
import { syncResult, verifyResult } from './sync.js';

/** Schema file name (without `.schema.json`) → the zod type of that command's document. */
export const RESULTS: Readonly<Record<string, z.ZodType>> = {
  'db-start': dbStartResult,
  'db-stop': dbStopResult,
  'db-status': dbStatusResult,
  'db-url': dbUrlResult,
  migrate: migrateResult,
  seed: seedResult,
  sync: syncResult,
  verify: verifyResult,
  schedule: scheduleResult,
  'capture-install': captureInstallResult,
  'capture-remove': captureRemoveResult,
  'capture-status': captureStatusResult,
  backup: backupResult,
  'backup-keygen': backupKeygenResult,
  'backup-list': backupListResult,
  'backup-prune': backupPruneResult,
  'backup-verify': backupVerifyResult,
  restore: restoreResult,
  status: statusResult,
  'status-check': statusCheckResult,
  check: checkResult,
  doctor: doctorResult,
  grants: grantsResult,
  'report-new': reportNewResult,
  'report-list': reportListResult,
  'report-check': reportCheckResult,
  archive: archiveResult,
  unarchive: unarchiveResult,
  forget: forgetResult,
  'forget-reapply': forgetReapplyResult,
};

/** The folder of the published schemas, relative to the package root. */
export const SCHEMA_DIR = 'schemas/json';

/** File name → its JSON Schema text (2020-12), exactly as committed under `SCHEMA_DIR`. */
export function jsonSchemaFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const [name, type] of Object.entries(RESULTS)) {
    const schema = { ...z.toJSONSchema(type, { target: 'draft-2020-12' }), $id: `https://dualpipe.dev/schemas/json/${name}.schema.json`, title: `dualpipe ${name.replace('-', ' ')} --json` };
    files.set(`${name}.schema.json`, `${JSON.stringify(schema, null, 2)}\n`);
  }
  return files;
}
