import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { ConfigFile, ConnectionFlags, LogFile, Logger, Pipeline, ResolvedConfig, ResolvedStateDir, SqlConnector } from '../api/index.js';
import {
  createLogger,
  createWatchedPipeline,
  embeddedServerStatus,
  embeddedTarget,
  loadConfigFile,
  openLogFile,
  resolveConfig,
  resolveRunLimits,
  resolveStateDir,
  RunWatch,
  serverDirIn,
} from '../api/session.js';
import type { CliIo } from './io.js';

/** Global options every command receives. */
export interface GlobalOptions {
  source?: string;
  report?: string;
  config?: string;
  json?: boolean;
  logLevel?: string;
  requireTls?: boolean;
  stateDir?: string;
  logFile?: string;
}

/** Returns the current command's context (always set before an action runs). */
export type GetContext = () => CliContext;

/** Lazily resolved per-invocation state: config, logger and connectors. */
export class CliContext {
  private resolved: ResolvedConfig | undefined;
  private fileConfig: ConfigFile | undefined;
  private log: Logger | undefined;
  private pipe: Pipeline | undefined;
  private configPath: string | undefined;
  private state: ResolvedStateDir | undefined;
  constructor(
    readonly io: CliIo,
    readonly options: GlobalOptions,
    /** The MySQL-style connection flags (cli/connection-options.ts), passwords already asked for. */
    readonly connection: ConnectionFlags = {},
  ) {}

  get json(): boolean {
    return this.options.json === true;
  }

  /** The state directory: --state-dir > DUALPIPE_STATE_DIR > config stateDir > ./.dualpipe if it holds db/ > XDG. */
  get stateDir(): ResolvedStateDir {
    if (!this.state) {
      const file = this.file;
      this.state = resolveStateDir({
        flag: this.options.stateDir,
        env: this.io.env,
        configKey: file.stateDir,
        configDir: this.configPath ? dirname(this.configPath) : undefined,
        cwd: this.io.cwd,
        home: this.io.env.HOME ?? homedir(),
        exists: existsSync,
      });
    }
    return this.state;
  }

  /** The embedded server's folder: `<state dir>/db`, or DUALPIPE_SERVER_DIR (older, still honoured). */
  get serverDir(): string {
    const explicit = this.io.env.DUALPIPE_SERVER_DIR;
    return explicit ? resolve(this.io.cwd, explicit) : serverDirIn(this.stateDir.dir);
  }

  get file(): ConfigFile {
    if (!this.fileConfig) {
      const explicit = this.options.config ?? this.io.env.DUALPIPE_CONFIG;
      const path = resolve(this.io.cwd, explicit ?? 'dualpipe.config.json');
      this.configPath = path;
      this.fileConfig = loadConfigFile(path, explicit !== undefined);
    }
    return this.fileConfig;
  }

  /** The folder of the config file (whether or not it exists): config paths are relative to it. */
  get configDir(): string {
    void this.file;
    return dirname(this.configPath!);
  }

  get config(): ResolvedConfig {
    if (!this.resolved) {
      this.resolved = resolveConfig({
        flags: {
          ...this.connection,
          ...(this.options.source ? { source: this.options.source } : {}),
          ...(this.options.report ? { report: this.options.report } : {}),
          ...(this.options.logLevel ? { logLevel: this.options.logLevel } : {}),
          ...(this.options.requireTls ? { requireTls: true } : {}),
        },
        env: this.io.env,
        file: this.file,
        embedded: () => {
          const state = embeddedServerStatus({ dir: this.serverDir });
          return state ? embeddedTarget(state) : undefined;
        },
      });
      // Never a secret in these (MYSQL_PWD in use, a world-writable option file skipped).
      for (const w of this.resolved.warnings) this.io.stderr.write(`dualpipe: warning: ${w}\n`);
    }
    return this.resolved;
  }

  /**
   * `--log-level` > DUALPIPE_LOG_LEVEL > `warn` under `--json` (a script reads stdout; kilobytes of
   * info lines on stderr only get in its way) > config logLevel > `info`.
   */
  get logLevel(): string {
    return this.options.logLevel ?? this.io.env.DUALPIPE_LOG_LEVEL ?? (this.json ? 'warn' : undefined) ?? this.fileConfig?.logLevel ?? 'info';
  }

  /** `--log-file` > DUALPIPE_LOG_FILE > config logFile (relative to the working directory), or undefined for stderr. */
  get logFilePath(): string | undefined {
    const path = this.options.logFile ?? this.io.env.DUALPIPE_LOG_FILE ?? this.file.logFile;
    return path ? resolve(this.io.cwd, path) : undefined;
  }

  /** The open --log-file, once the logger has opened it. */
  logFile: LogFile | undefined;

  get logger(): Logger {
    if (!this.log) {
      const path = this.logFilePath;
      if (path) {
        this.logFile = openLogFile(path);
        this.log = createLogger(this.logLevel, { destination: this.logFile.stream });
      } else this.log = createLogger(this.logLevel, { pretty: this.io.stderr.isTTY === true });
    }
    return this.log;
  }

  /** `--connect-timeout` and the stall/runtime bounds of a run (`watchRun`); set before `pipeline` is built. */
  limitFlags: { stallTimeout?: string; maxRuntime?: string; connectTimeout?: string } = {};

  /** The watchdog of this invocation's run, when the command asked for one (`watchRun`). */
  watch: RunWatch | undefined;

  /**
   * Puts this invocation's run under the stall watchdog and runtime bound (README "Timeouts and
   * stalls"): every session of `pipeline` is watched. Call before the first use of `pipeline`.
   */
  watchRun(kind: string, flags: { stallTimeout?: string; maxRuntime?: string; connectTimeout?: string }): RunWatch {
    this.limitFlags = flags;
    const limits = resolveRunLimits({ flags, env: this.io.env, file: this.file.limits });
    this.watch = new RunWatch({ kind, stallTimeoutMs: limits.stallTimeoutMs, maxRuntimeMs: limits.maxRuntimeMs });
    return this.watch;
  }

  /** The source/report pair of this invocation, built once from the resolved config. */
  get pipeline(): Pipeline {
    if (!this.pipe) {
      const limits = resolveRunLimits({ flags: this.limitFlags, env: this.io.env, file: this.file.limits });
      this.pipe = createWatchedPipeline(this.config, limits, this.watch);
    }
    return this.pipe;
  }

  source(): SqlConnector {
    return this.pipeline.source;
  }

  report(): SqlConnector {
    return this.pipeline.report;
  }

  /**
   * The result `print` kept under `--json`: run-cli.ts writes it as the one JSON document once the
   * command ends, with `ok` and, when the command then failed, `error` (cli/json-output.ts).
   */
  jsonResult: { value: unknown } | undefined;

  /** Prints a result: kept for the one JSON document with --json (see `jsonResult`), else the human lines. */
  print(result: unknown, human: () => string): void {
    if (this.json) this.jsonResult = { value: result };
    else {
      const text = human();
      if (text) this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    }
  }
}
