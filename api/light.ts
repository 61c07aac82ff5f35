/**
 * The cheap part of the public API, for the CLI's command registration and error reporting:
 * errors, exit codes, the version and the flag parsers. Everything here loads without a
 * third-party package (no mysql2, zod, pino), so `dualpipe --version` and `--help` stay fast;
 * the CLI's actions `await import()` the other api/ entry files (api/backup.ts, ...) when they run.
 * api/index.ts exports all of this too (it stays the package's one public entry).
 */
export * from '../src/errors.js';
export { EXIT_CODES, ExitCode, errorCodeOf, exitCodeFor } from '../src/exit-codes.js';
export { VERSION } from '../src/version.js';
export { redactSecrets } from '../src/log/redact.js';
export { isoTime, isoTimestamps } from '../src/log/iso-time.js';
export { COMPRESSIONS } from '../backup/format/chunk-compression.js';
export { readBackupKey } from '../backup/format/backup-key.js';
export { readErasureKey } from '../src/erasure/erasure-key.js';
export { hasLimits, parseDurationSeconds, parseLoadLimits, parseNiceRatio } from '../src/guard/throttle-limits.js';
export { parseDuration } from '../ops/status.js';
export { describeLockHolder } from '../src/history/lock-holder.js';
export { DEFAULT_CHECK_THRESHOLDS, decideCheck, parseAgeThreshold, singleVerdict } from '../ops/status-check.js';
export { parseRoles, passwordEnv, ROLES } from '../ops/grants/role-privileges.js';
