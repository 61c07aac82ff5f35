import { errorCodeOf, exitCodeFor, isoTimestamps } from '../api/light.js';
import { errorParts } from './format-error.js';

/**
 * The `--json` contract (README "JSON output"): every command prints exactly one JSON document on
 * stdout, success or failure. `ok` is true exactly when the exit code is 0. A failure carries
 * `error` and, when the command got as far as a result (verify's drift, doctor's checks, a
 * `status --check` verdict), that result too. Times are ISO 8601 with Z (src/log/iso-time.ts).
 */

/** `error` of a failed run: a stable code per error class, the message, what to do, the exit code. */
export interface JsonError {
  code: string;
  message: string;
  hint: string | null;
  exitCode: number;
}

/** The result object of a command as printed: arrays are never top-level (they have no room for `ok`). */
function fields(result: unknown): Record<string, unknown> {
  if (result === undefined) return {};
  const plain = isoTimestamps(result);
  if (plain !== null && typeof plain === 'object' && !Array.isArray(plain)) return plain as Record<string, unknown>;
  return { result: plain };
}

/** The document of a successful run. */
export function jsonSuccess(result: unknown): string {
  return `${JSON.stringify({ ...fields(result), ok: true }, null, 2)}\n`;
}

/** The `error` object of `error`, secrets redacted; `exitCode` given for errors the CLI maps itself (commander's). */
export function jsonErrorOf(error: unknown, exitCode = exitCodeFor(error)): JsonError {
  return { code: errorCodeOf(error), ...errorParts(error), exitCode };
}

/** The document of a failed run: the partial result (when printed before the failure), `ok: false`, `error`. */
export function jsonFailure(error: JsonError, result?: unknown): string {
  return `${JSON.stringify({ ...fields(result), ok: false, error }, null, 2)}\n`;
}
