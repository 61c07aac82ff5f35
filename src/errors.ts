/**
 * One base error with `cause`, and subclasses that carry context. Each class maps to one
 * exit code in one place (`EXIT_CODES`, read by `exitCodeFor`), used by the CLI.
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
 * TLS was required (`--require-tls`, `ssl-mode=required|verify-*`) and the session is not encrypted,
 * or the certificate failed the check. Exit 1, like every connection failure: the server must change.
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
  /** Who holds it, in words ("backup run #12 on db1 (pid 4242) since …"), when it could be found. */
  readonly holder: string | undefined;
  constructor(lockName: string, options: { hint?: string; holder?: string } = {}) {
    super(`another dualpipe run holds the lock ${lockName}${options.holder ? `: ${options.holder}` : ''}`, {
      hint: options.hint ?? 'wait for it to finish, or check `dualpipe status`',
    });
    this.lockName = lockName;
    this.holder = options.holder;
  }
}

/** Verification found the mirrors differ from the source (exit 3). */
export class DriftError extends DualpipeError {
  readonly tables: readonly string[];
  constructor(tables: readonly string[]) {
    super(`drift found in ${tables.length} table(s): ${tables.join(', ')}`, { hint: 'run `dualpipe sync` to rebuild the mirrors' });
    this.tables = tables;
  }
}

/** A cause as one line of text: an Error's message, anything else as itself. */
function causeText(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  switch (typeof cause) {
    case 'string': case 'number': case 'bigint': case 'boolean': case 'symbol': return String(cause);
    case 'undefined': return 'failed';
    default: return cause === null ? 'null' : Object.prototype.toString.call(cause);
  }
}

/**
 * A step of a multi-step operation failed; names the table and phase. The reason is the `cause`'s
 * message, or `detail` when the step found the problem itself.
 */
export class StepError extends DualpipeError {
  readonly table: string | undefined;
  readonly phase: string;
  constructor(phase: string, table: string | undefined, options: { cause?: unknown; detail?: string; hint?: string } = {}) {
    const why = options.detail ?? causeText(options.cause);
    super(`${phase}${table ? ` of ${table}` : ''} failed: ${why}`, options);
    this.table = table;
    this.phase = phase;
  }
}

/** The operation was interrupted by a signal before it could finish; nothing was swapped in. */
export class AbortedError extends DualpipeError {}

/** A watchdog stopped the run: no progress while the server did not answer a probe, or over its maximum runtime (exit 1). */
export class StallError extends DualpipeError {
  /** `stall` or `max-runtime`; `phase` says what the run was doing, e.g. `copying crm.contacts`. */
  constructor(readonly reason: 'stall' | 'max-runtime', readonly phase: string, message: string) {
    super(message);
  }
}

/** Report tables are older than allowed (`status --max-age`): exit 3, like drift. */
export class StaleError extends DualpipeError {}

/** A file dualpipe must read cannot be read (permissions). Exit 2, like an unreadable key file. */
export class FileAccessError extends UsageError {
  readonly path: string;
  constructor(path: string, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(`${path}: ${message}`, options);
    this.path = path;
  }
}

/**
 * A folder dualpipe writes to (a backup's `--to` or `--copy-to`) cannot be written now: the disk is
 * full, or it failed. `errno` is the system's code (ENOSPC, EIO, EDQUOT...). Exit 1: nothing is
 * wrong with what was typed; free space (or fix the disk) and run again.
 */
export class TargetError extends DualpipeError {
  readonly path: string;
  readonly errno: string | undefined;
  constructor(path: string, message: string, options: { errno?: string; cause?: unknown; hint?: string } = {}) {
    super(`${path}: ${message}`, options);
    this.path = path;
    this.errno = options.errno;
  }
}

/**
 * A folder given to write to cannot be used as given: it does not exist, is not a directory, is
 * read-only, or may not be written (EACCES). `errno` is the system's code. Exit 2: the user must
 * name another folder, create it, or fix its mount or permissions.
 */
export class TargetPathError extends UsageError {
  readonly path: string;
  readonly errno: string | undefined;
  constructor(path: string, message: string, options: { errno?: string; cause?: unknown; hint?: string } = {}) {
    super(`${path}: ${message}`, options);
    this.path = path;
    this.errno = options.errno;
  }
}

/**
 * A table changed while dualpipe was reading it (a column or the table itself went away, or it
 * became a view). Exit 1: nothing is wrong with what was typed; run again once the DDL is done.
 */
export class SchemaChangedError extends DualpipeError {
  readonly table: string;
  constructor(table: string, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(`${table}: ${message}`, { hint: options.hint ?? 'a table changed during the run: run it again', ...(options.cause === undefined ? {} : { cause: options.cause }) });
    this.table = table;
  }
}

/**
 * Data dualpipe reads back (a backup file, a change-log row) is damaged or not dualpipe's; `source`
 * names where it is. Exit 5: the input must be replaced (another backup), not the command line.
 */
export class DamagedDataError extends DualpipeError {
  readonly source: string;
  constructor(source: string, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(`${source}: ${message}`, options);
    this.source = source;
  }
}

/** A backup that cannot be restored: damaged or unfinished. Names the file and what is wrong (exit 5). */
export class BackupError extends DamagedDataError {
  readonly file: string;
  constructor(file: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(file, message, { hint: options.hint ?? 'the backup is damaged: use another backup', ...(options.cause === undefined ? {} : { cause: options.cause }) });
    this.file = file;
  }
}

/** An encrypted chunk that fails authentication: damaged, tampered with, or under another key (exit 5). */
export class ChunkAuthError extends BackupError {
  constructor(file: string, message: string) {
    super(file, message, { hint: 'the chunk was changed after the backup was written: use another backup' });
  }
}

/** A primary key in the change log that dualpipe's triggers did not write (exit 5). */
export class ChangeLogKeyError extends DamagedDataError {
  readonly table: string;
  constructor(table: string, message: string) {
    const hint = 'something other than dualpipe\'s triggers wrote it: `dualpipe capture remove`, then `capture install` (the next sync is a full one)';
    super(`the change log of ${table}`, message, { hint });
    this.table = table;
  }
}

/** A broken invariant: a bug in dualpipe; `where` names the function. Exit 70 (sysexits' EX_SOFTWARE). */
export class InternalError extends DualpipeError {
  readonly where: string;
  constructor(where: string, message: string) {
    super(`internal error in ${where}: ${message}`, { hint: 'this is a bug in dualpipe: please report it with the output of --log-level debug' });
    this.where = where;
  }
}

/**
 * The verdict of `status --check` when it is not OK: exits with the monitoring plugin's code
 * (1 WARNING, 2 CRITICAL, 3 UNKNOWN), not the CLI's usual ones. The verdict line is already printed.
 */
export class CheckVerdictError extends DualpipeError {
  readonly exitCode: 1 | 2 | 3;
  constructor(summary: string, exitCode: 1 | 2 | 3) {
    super(summary);
    this.exitCode = exitCode;
  }
}
