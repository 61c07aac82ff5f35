import type { ConnectionTarget } from '../db/connection.js';
import { assertPlainName } from '../db/quote.js';
import { ConfigError, UsageError } from '../errors.js';
import type { ConfigFile } from './config-file.js';
import { nodeOptionFileIo } from './option-file-io.js';
import { type OptionFileIo, readOptionFiles } from './option-files.js';
import { type ConnectionFlags, resolveConnections, sameServer } from './resolve-connections.js';
import { parseLoadLimits, type ThrottleLimits } from '../guard/throttle-limits.js';
import { requireTlsFrom, resolveTls } from './resolve-tls.js';

/** A pino log level, or `silent`. */
export type LogLevel = NonNullable<ConfigFile['logLevel']>;

/** A connection target that always names its schema. */
export interface SchemaTarget extends ConnectionTarget {
  database: string;
}

/** How syncs and verifies run: the config file's `sync` section with its defaults. */
export interface SyncSettings {
  strategy: 'swap' | 'lock';
  threads: number;
  chunkRows: number;
  include: string[];
  exclude: string[];
  swapWaitMs: number;
}

/** Everything a command needs, merged from flags > env > file > defaults. */
export interface ResolvedConfig {
  source: SchemaTarget;
  report: SchemaTarget;
  /** True when source and report are the same server (server-side copies are possible). */
  sameServer: boolean;
  /** True when the source is the embedded server managed by `dualpipe db`. */
  embedded: boolean;
  logLevel: LogLevel;
  /** Every connection must be encrypted (`--require-tls`); already folded into each target's ssl-mode. */
  requireTls: boolean;
  sync: SyncSettings;
  schedule: NonNullable<ConfigFile['schedule']>;
  backup: NonNullable<ConfigFile['backup']>;
  /** The config file's archive rule (`schedule --archive-cron` runs it); absent without one. */
  archive?: NonNullable<ConfigFile['archive']>;
  /** Things the user should hear about (MYSQL_PWD, a password on the command line, a world-writable option file); never a secret. */
  warnings: string[];
  /** The config file's throttle limits, parsed (empty: no throttling); flags override them. */
  throttle: ThrottleLimits;
}

/** The config file's `throttle` section as limits (already validated by the schema). */
export function throttleFromFile(t: ConfigFile['throttle']): ThrottleLimits {
  if (!t) return {};
  return {
    ...(t.maxLoad ? { maxLoad: parseLoadLimits(t.maxLoad, 'throttle.maxLoad') } : {}),
    ...(t.criticalLoad ? { criticalLoad: parseLoadLimits(t.criticalLoad, 'throttle.criticalLoad') } : {}),
    ...(t.maxLag !== undefined ? { maxLagSeconds: t.maxLag } : {}),
    ...(t.maxPause !== undefined ? { maxPauseSeconds: t.maxPause } : {}),
    ...(t.niceRatio !== undefined ? { niceRatio: t.niceRatio } : {}),
  };
}

/** Where a configuration comes from: flags, environment, config file, option files, the embedded server. */
export interface ConfigInputs {
  flags: ConnectionFlags & { logLevel?: string; requireTls?: boolean };
  env: Record<string, string | undefined>;
  file: ConfigFile;
  /** Returns the embedded server's target when it runs, used when no source is given. */
  embedded: () => ConnectionTarget | undefined;
  /** How MySQL option files are read; the real file system when absent. */
  optionFileIo?: OptionFileIo;
}

/** The source schema when neither the URL nor the config names one: the sample CRM's. */
export const DEFAULT_SCHEMA = 'crm';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * The `sync` settings where the config file gives none: swap strategy, 2 threads, 20,000-row
 * chunks, every table, and 10 s of swap attempts that never make analysts wait (MariaDB) before
 * waiting in line.
 */
export const defaultSync: SyncSettings = {
  strategy: 'swap',
  threads: 2,
  chunkRows: 20_000,
  include: [],
  exclude: [],
  swapWaitMs: 10_000,
};

function setTls(target: ConnectionTarget, ssl: ConnectionTarget['ssl']): void {
  if (ssl) target.ssl = ssl;
  else delete target.ssl;
}

/** Merges flags > URL > environment > option files > config file > defaults into one configuration; throws a usage error for bad values. */
export function resolveConfig(inputs: ConfigInputs): ResolvedConfig {
  const { flags, env, file } = inputs;
  const logLevel = (flags.logLevel ?? env.DUALPIPE_LOG_LEVEL ?? file.logLevel ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new UsageError(`invalid log level "${logLevel}"`, { hint: `use one of ${LOG_LEVELS.join(', ')}` });
  }
  const optionFiles = readOptionFiles(
    {
      defaultsFile: flags.defaultsFile,
      defaultsExtraFile: flags.defaultsExtraFile ?? env.DUALPIPE_OPTION_FILE ?? file.optionFile,
      noDefaults: flags.noDefaults,
      home: env.HOME,
      mysqlHome: env.MYSQL_HOME,
      loginFile: env.MYSQL_TEST_LOGIN_FILE,
      loginPath: flags.loginPath,
      noLoginPaths: flags.noLoginPaths,
    },
    inputs.optionFileIo ?? nodeOptionFileIo,
  );
  const warnings = [...optionFiles.warnings];
  const requireTls = requireTlsFrom(flags.requireTls, env.DUALPIPE_REQUIRE_TLS, file.tls?.require);
  const conn = resolveConnections({ flags, env, file, optionFiles, embedded: inputs.embedded });
  warnings.push(...conn.warnings);
  const { source, report, embedded, sourceTlsGiven } = conn;
  // What was asked for, before --require-tls lifts it: the report inherits this.
  const sourceTls = resolveTls({
    ...(sourceTlsGiven ? { url: source.ssl } : { fallback: source.ssl }),
    file: file.tls?.source,
    require: false,
    role: 'source',
  });
  const sourceDb = assertPlainName(source.database ?? DEFAULT_SCHEMA, 'source schema name');
  setTls(
    report,
    resolveTls({
      ...(conn.reportTlsGiven ? { url: report.ssl } : {}),
      file: file.tls?.report,
      fallback: sourceTls,
      require: requireTls,
      role: 'report',
    }),
  );
  setTls(source, resolveTls({ fallback: sourceTls, require: requireTls, role: 'source' }));
  const reportDb = assertPlainName(report.database ?? `${sourceDb}_report`, 'report schema name');
  const same = sameServer(source, report);
  if (same && reportDb === sourceDb) {
    throw new ConfigError('the report schema must differ from the source schema on the same server', {
      field: 'report',
      hint: `leave --report / --report-database unset to use ${sourceDb}_report`,
    });
  }
  return {
    source: { ...source, database: sourceDb },
    report: { ...report, database: reportDb },
    sameServer: same,
    embedded,
    logLevel,
    requireTls,
    sync: { ...defaultSync, ...file.sync },
    schedule: file.schedule ?? {},
    backup: file.backup ?? {},
    ...(file.archive ? { archive: file.archive } : {}),
    warnings,
    throttle: throttleFromFile(file.throttle),
  };
}
