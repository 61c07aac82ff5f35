/**
 * The source and report connection targets, from (highest first):
 *   1. flags (--host --port --user --password --socket -D --ssl-*; --report-host … for the report),
 *   2. the URL (--source, DUALPIPE_SOURCE_URL, else config `source`; likewise for the report),
 *   3. the environment (DUALPIPE_SOURCE_PASSWORD / DUALPIPE_REPORT_PASSWORD, then MYSQL_PWD),
 *   4. MySQL option files, groups [client] and [dualpipe] (plus [dualpipe_report] for the report),
 *      the login path file last among them,
 *   5. MYSQL_HOST, MYSQL_TCP_PORT, MYSQL_UNIX_PORT (below option files, as in MySQL's client),
 *   6. the config file (`tls.source` / `tls.report`; applied by the caller),
 *   7. defaults (user root, port 3306; the embedded server when nothing names a server).
 * The report inherits the source's server, user and password unless something names its own server.
 * Its schema comes only from --report-database, its URL or [dualpipe_report] `database=` (a
 * `database=` in [client] names the source schema, never the report's).
 */
import type { ConnectionTarget } from '../db/connection.js';
import { UsageError } from '../errors.js';
import type { ConfigFile } from './config-file.js';
import { type ConnectionFields, fieldsFromMysqlEnv, fieldsFromOptions, firstDatabase, mergeLayers, namesServer } from './connection-layers.js';
import { type OptionFileRead, optionsForGroups } from './option-files.js';
import { parseMysqlUrlFields, type UrlFields } from './parse-url.js';
import { type TlsFields, tlsSettingsFrom } from './tls-params.js';

/** The connection flags of the command line. */
export interface ConnectionFlags {
  source?: string | undefined;
  report?: string | undefined;
  host?: string | undefined;
  port?: number | undefined;
  user?: string | undefined;
  password?: string | undefined;
  socket?: string | undefined;
  /** -D/--database: the source schema. */
  database?: string | undefined;
  /** --ssl-mode/--ssl-ca/--ssl-cert/--ssl-key for the source. */
  tls?: TlsFields | undefined;
  reportHost?: string | undefined;
  reportPort?: number | undefined;
  reportUser?: string | undefined;
  reportPassword?: string | undefined;
  reportSocket?: string | undefined;
  reportDatabase?: string | undefined;
  reportTls?: TlsFields | undefined;
  /** --login-path: the group of ~/.mylogin.cnf to read as [client]. */
  loginPath?: string | undefined;
  noLoginPaths?: boolean | undefined;
  defaultsFile?: string | undefined;
  defaultsExtraFile?: string | undefined;
  noDefaults?: boolean | undefined;
}

/** What `resolveConnections` needs. */
export interface ConnectionInputs {
  flags: ConnectionFlags;
  env: Record<string, string | undefined>;
  file: ConfigFile;
  optionFiles: OptionFileRead;
  embedded: () => ConnectionTarget | undefined;
}

/** The two targets (TLS still to be settled by the caller), and what to warn about. */
export interface ResolvedConnections {
  source: ConnectionTarget & { database?: string | undefined };
  report: ConnectionTarget & { database?: string | undefined };
  embedded: boolean;
  /** The source's TLS came from its URL or option files (then it wins over the config file's). */
  sourceTlsGiven: boolean;
  /** The report's TLS came from its URL or option files (else: config file, then the source's). */
  reportTlsGiven: boolean;
  warnings: string[];
}

/** True when two targets are the same server (same socket, or same host and port). */
export function sameServer(a: ConnectionTarget, b: ConnectionTarget): boolean {
  if (a.socketPath || b.socketPath) return a.socketPath === b.socketPath;
  return a.host === b.host && a.port === b.port;
}

const MYSQL_PWD_WARNING = 'using the password in MYSQL_PWD, which MySQL deprecates as insecure (other local users may read a process environment); prefer ~/.my.cnf with mode 600';

function urlLayer(url: UrlFields | undefined): ConnectionFields {
  if (!url) return {};
  return { host: url.host, port: url.port, user: url.user, password: url.password, socket: url.socket, database: url.database };
}

function targetFields(t: ConnectionTarget): ConnectionFields {
  return { host: t.host, port: t.port, socket: t.socketPath, user: t.user, password: t.password };
}

function flagTls(fields: TlsFields | undefined, what: string) {
  return fields ? tlsSettingsFrom(fields, what) : undefined;
}

/** Resolves the source and report targets; see the file comment for the precedence. */
export function resolveConnections(inputs: ConnectionInputs): ResolvedConnections {
  const { flags, env, file, optionFiles } = inputs;
  const warnings: string[] = [];
  const flagLayer: ConnectionFields = { host: flags.host, port: flags.port, user: flags.user, password: flags.password, socket: flags.socket, database: flags.database };
  const reportFlagLayer: ConnectionFields = {
    host: flags.reportHost,
    port: flags.reportPort,
    user: flags.reportUser,
    password: flags.reportPassword,
    socket: flags.reportSocket,
    database: flags.reportDatabase,
  };
  const mysqlEnv = fieldsFromMysqlEnv(env);
  const mysqlPwd: ConnectionFields = { password: env.MYSQL_PWD };
  const clientOptions = fieldsFromOptions(optionsForGroups(optionFiles, ['client', 'dualpipe']), 'option files [client]/[dualpipe]');

  const sourceUrlText = flags.source ?? env.DUALPIPE_SOURCE_URL ?? file.source;
  const sourceUrl = sourceUrlText ? parseMysqlUrlFields(sourceUrlText, 'source URL') : undefined;
  const sourceLayers = [flagLayer, urlLayer(sourceUrl), { password: env.DUALPIPE_SOURCE_PASSWORD }, mysqlPwd, clientOptions, mysqlEnv];
  let source: ConnectionTarget & { database?: string | undefined };
  let embedded = false;
  if (namesServer(sourceLayers)) {
    source = mergeLayers(sourceLayers, 'source');
    const tls = flagTls(flags.tls, '--ssl-*') ?? sourceUrl?.ssl ?? tlsSettingsFrom(clientOptions.tls ?? {}, 'option files [client]/[dualpipe]');
    if (tls) source.ssl = tls;
  } else {
    const e = inputs.embedded();
    if (!e) {
      throw new UsageError('no source database: no --source, --host, --socket or option-file host, and the embedded server is not running', {
        hint: 'run `dualpipe db start`, or give --source / DUALPIPE_SOURCE_URL (e.g. mysql://root@127.0.0.1:3306/crm), --host/--socket, or host= in ~/.my.cnf [client]',
      });
    }
    // The embedded server keeps its own account: only flags and the dualpipe variable change it.
    source = mergeLayers([flagLayer, { password: env.DUALPIPE_SOURCE_PASSWORD }, targetFields(e)], 'source');
    if (e.ssl) source.ssl = e.ssl;
    embedded = true;
  }
  const sourceDb = firstDatabase(embedded ? [flagLayer, urlLayer(sourceUrl)] : sourceLayers);
  if (sourceDb) source.database = sourceDb;
  const sourcePasswordFromMysqlPwd = env.MYSQL_PWD !== undefined && !embedded && sourceLayers.find((l) => l.password !== undefined) === mysqlPwd;

  const reportUrlText = flags.report ?? env.DUALPIPE_REPORT_URL ?? file.report;
  const reportUrl = reportUrlText ? parseMysqlUrlFields(reportUrlText, 'report URL') : undefined;
  const reportGroup = fieldsFromOptions(optionsForGroups(optionFiles, ['dualpipe_report']), 'option file [dualpipe_report]');
  const reportOptions = fieldsFromOptions(optionsForGroups(optionFiles, ['client', 'dualpipe', 'dualpipe_report']), 'option files');
  const explicit = [reportFlagLayer, urlLayer(reportUrl), { password: env.DUALPIPE_REPORT_PASSWORD }];
  let report: ConnectionTarget & { database?: string | undefined };
  let reportPasswordFromMysqlPwd = false;
  if (!namesServer([...explicit, reportGroup])) {
    report = mergeLayers([...explicit, reportGroup, targetFields(source)], 'report');
    reportPasswordFromMysqlPwd = sourcePasswordFromMysqlPwd && report.password === source.password && explicit.every((l) => l.password === undefined) && reportGroup.password === undefined;
  } else {
    const layers = [...explicit, mysqlPwd, reportOptions, mysqlEnv];
    report = mergeLayers(layers, 'report');
    if (explicit.every((l) => l.password === undefined) && sameServer(report, source) && source.password !== undefined) report.password = source.password;
    else reportPasswordFromMysqlPwd = env.MYSQL_PWD !== undefined && layers.find((l) => l.password !== undefined) === mysqlPwd;
  }
  const reportDb = firstDatabase([...explicit, reportGroup]);
  if (reportDb) report.database = reportDb;
  const reportTls = flagTls(flags.reportTls, '--report-ssl-*') ?? reportUrl?.ssl ?? tlsSettingsFrom(reportGroup.tls ?? {}, 'option file [dualpipe_report]');
  if (reportTls) report.ssl = reportTls;
  if (sourcePasswordFromMysqlPwd || reportPasswordFromMysqlPwd) warnings.push(MYSQL_PWD_WARNING);
  return { source, report, embedded, sourceTlsGiven: !embedded && source.ssl !== undefined, reportTlsGiven: reportTls !== undefined, warnings };
}
