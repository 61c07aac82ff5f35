/**
 * A verify that found drift is a failure for the CLI (exit 3) and for a scheduled verify (logged
 * as failed): this turns a verify result into that error, naming the tables that differ.
 */
import { DriftError } from '../src/errors.js';
import { driftedTables, type VerifyResult } from '../sync/verify/verify.js';

/** Throws a `DriftError` naming the drifted tables when the verify did not find the mirrors equal. */
export function requireNoDrift(result: Pick<VerifyResult, 'ok' | 'tables'>): void {
  if (!result.ok) throw new DriftError(driftedTables(result));
}
