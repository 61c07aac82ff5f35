/**
 * How errors become the CLI's exit codes (one table, class by class; errors.ts defines the classes)
 * and the stable codes `--json` prints for them.
 */
import {
  AbortedError,
  BackupError,
  ChangeLogKeyError,
  CheckVerdictError,
  ChunkAuthError,
  ConfigError,
  ConnectionError,
  DamagedDataError,
  DriftError,
  DualpipeError,
  FileAccessError,
  InternalError,
  LockBusyError,
  MissingSchemaError,
  SchemaChangedError,
  ServerError,
  StaleError,
  StallError,
  StepError,
  TargetError,
  TargetPathError,
  TlsError,
  UnsupportedTableError,
  UsageError,
} from './errors.js';
import { ThrottleError } from './guard/throttle-error.js';

/** The exit codes of the CLI (README "Exit codes"). */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  drift: 3,
  locked: 4,
  damaged: 5,
  internal: 70,
} as const;

/** One of the exit codes. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error class, as a key of `EXIT_CODES` (whatever its constructor's parameters). */
export type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Every error class and its exit code, listed one by one: the single place where errors become exit
 * codes. A subclass not listed here (one of a library user's) takes its nearest listed ancestor's.
 */
export const EXIT_CODES: ReadonlyMap<ErrorClass, ExitCodeValue> = new Map<ErrorClass, ExitCodeValue>([
  [DualpipeError, ExitCode.failure],
  [UsageError, ExitCode.usage],
  [ConfigError, ExitCode.usage],
  [MissingSchemaError, ExitCode.usage],
  [UnsupportedTableError, ExitCode.usage],
  [FileAccessError, ExitCode.usage],
  [TargetPathError, ExitCode.usage],
  [ConnectionError, ExitCode.failure],
  [TlsError, ExitCode.failure],
  [ServerError, ExitCode.failure],
  [StepError, ExitCode.failure],
  [AbortedError, ExitCode.failure],
  [StallError, ExitCode.failure],
  [ThrottleError, ExitCode.failure],
  [SchemaChangedError, ExitCode.failure],
  [TargetError, ExitCode.failure],
  [DriftError, ExitCode.drift],
  [StaleError, ExitCode.drift],
  [LockBusyError, ExitCode.locked],
  [DamagedDataError, ExitCode.damaged],
  [BackupError, ExitCode.damaged],
  [ChunkAuthError, ExitCode.damaged],
  [ChangeLogKeyError, ExitCode.damaged],
  [InternalError, ExitCode.internal],
  [CheckVerdictError, ExitCode.failure],
]);

/** The exit code for an error: its class's in `EXIT_CODES`; 1 for anything that is not a `DualpipeError`. */
export function exitCodeFor(error: unknown): ExitCodeValue {
  if (!(error instanceof DualpipeError)) return ExitCode.failure;
  // A monitoring verdict keeps the plugin convention's code (its numbers are the same as ours' 1..3).
  const verdict = error instanceof CheckVerdictError ? (error as { exitCode?: 1 | 2 | 3 }).exitCode : undefined;
  if (verdict !== undefined) return verdict;
  for (let proto: unknown = Object.getPrototypeOf(error); proto; proto = Object.getPrototypeOf(proto)) {
    const code = EXIT_CODES.get((proto as { constructor: ErrorClass }).constructor);
    if (code !== undefined) return code;
  }
  // Unreachable: DualpipeError itself is listed, and every DualpipeError has it on its prototype chain.
  return ExitCode.failure;
}

/**
 * The stable code of an error class for machine readers (`--json`'s `error.code`): the class name
 * without `Error`, in SCREAMING_SNAKE_CASE (`LockBusyError` → `LOCK_BUSY`, `DualpipeError` →
 * `DUALPIPE`). Renaming a class changes its code: treat class names as part of the JSON contract.
 * Anything that is not a DualpipeError is `UNEXPECTED` (a bug, or a library's error not wrapped).
 */
export function errorCodeOf(error: unknown): string {
  if (!(error instanceof DualpipeError)) return 'UNEXPECTED';
  const name = error.name.replace(/Error$/, '') || 'DUALPIPE';
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}
