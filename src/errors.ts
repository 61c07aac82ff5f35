/**
 * One base error with `cause`, and subclasses that carry context. Each class maps to one
 * exit code in one place (`exitCodeFor`), used by the CLI.
 */
export class DualpipeError extends Error {
  /** A short hint telling the user what to do next. */
  readonly hint: string | undefined;
  constructor(message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

/** Bad flags, bad config, bad URL: the user must change what they typed (exit 2). */
export class UsageError extends DualpipeError {}

/** A config file field is invalid. */
export class ConfigError extends UsageError {
  readonly field: string | undefined;
  constructor(message: string, options: { field?: string; cause?: unknown; hint?: string } = {}) {
    super(message, options);
    this.field = options.field;
  }
}

/** The server could not be reached or refused us. */
export class ConnectionError extends DualpipeError {
  readonly target: string;
  constructor(target: string, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(`${target}: ${message}`, options);
    this.target = target;
  }
}

/**
 * TLS was required (`--require-tls`, `ssl-mode=required|verify-ca|verify-identity`) and the
 * session is not encrypted, or the server's certificate failed the check. Exit 1, like every
 * connection failure: the server or its certificate must change, not only what was typed.
 */
export class TlsError extends ConnectionError {}

/** The schema named in a URL does not exist (exit 2: the user must fix the name or migrate). */
export class MissingSchemaError extends UsageError {
  readonly schema: string;
  constructor(schema: string, options: { cause?: unknown; hint?: string } = {}) {
    super(`schema ${schema} does not exist`, {
      hint: options.hint ?? 'create it with `dualpipe migrate`, or fix the schema name in --source/--report',
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.schema = schema;
  }
}

/** One source table dualpipe cannot copy exactly, and why. */
export interface UnsupportedTable {
  table: string;
  reason: string;
}

/**
 * Source tables that cannot be copied exactly (a kind of table or key that MyISAM or the copy
 * cannot hold). Raised before anything is written, naming every such table: a run never syncs
 * some tables and skips others in silence. Exit 2: exclude the tables, or change them.
 */
export class UnsupportedTableError extends UsageError {
  readonly tables: readonly UnsupportedTable[];
  constructor(tables: readonly UnsupportedTable[], options: { hint?: string } = {}) {
    super(
      // A name with control characters is shown quoted, so the message stays one line.
      `${tables.length} table(s) cannot be copied exactly: ${tables.map((t) => `${/[\x00-\x1f]/.test(t.table) ? JSON.stringify(t.table) : t.table} (${t.reason})`).join('; ')}`,
      { hint: options.hint ?? 'exclude them (--exclude or sync.exclude), or change them as the reason says; see "What is supported" in the README' },
    );
    this.tables = tables;
  }
}

/** The embedded server could not be found, started or stopped. */
export class ServerError extends DualpipeError {}

/** Another run holds the lock (exit 4). */
export class LockBusyError extends DualpipeError {
  readonly lockName: string;
  constructor(lockName: string, options: { hint?: string } = {}) {
    super(`another dualpipe run holds the lock ${lockName}`, {
      hint: options.hint ?? 'wait for it to finish, or check `dualpipe status`',
    });
    this.lockName = lockName;
  }
}

/** Verification found the mirrors differ from the source (exit 3). */
export class DriftError extends DualpipeError {
  readonly tables: readonly string[];
  constructor(tables: readonly string[]) {
    super(`drift found in ${tables.length} table(s): ${tables.join(', ')}`, {
      hint: 'run `dualpipe sync` to rebuild the mirrors',
    });
    this.tables = tables;
  }
}

/** A step of a multi-step operation failed; names the table and phase. */
export class StepError extends DualpipeError {
  readonly table: string | undefined;
  readonly phase: string;
  constructor(phase: string, table: string | undefined, options: { cause?: unknown; hint?: string } = {}) {
    const why = options.cause instanceof Error ? options.cause.message : String(options.cause ?? 'failed');
    super(`${phase}${table ? ` of ${table}` : ''} failed: ${why}`, options);
    this.table = table;
    this.phase = phase;
  }
}

/** The operation was interrupted by a signal before it could finish; nothing was swapped in. */
export class AbortedError extends DualpipeError {}

/** The exit codes of the CLI: ok, failure, usage, drift (or stale), locked. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  drift: 3,
  locked: 4,
} as const;

/** Report tables are older than allowed (`status --max-age`): exit 3, like drift. */
export class StaleError extends DualpipeError {}

/** The single place where errors become exit codes. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return ExitCode.usage;
  if (error instanceof DriftError || error instanceof StaleError) return ExitCode.drift;
  if (error instanceof LockBusyError) return ExitCode.locked;
  return ExitCode.failure;
}
