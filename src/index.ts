/** dualpipe's public API: everything the CLI does is callable from here. */

export * from '../schema/index.js';
export * from '../backup/index.js';
export * from '../sync/index.js';
export type { CliIo } from './cli/io.js';
export { runCli } from './cli/run-cli.js';
export { type ConfigFile, loadConfigFile, parseConfigFile } from './config/config-file.js';
export { parseMysqlUrl } from './config/parse-url.js';
export { type ResolvedConfig, resolveConfig } from './config/resolve-config.js';
export type { ConnectionTarget, ExecResult, Row, SqlConnection, SqlConnector } from './db/connection.js';
export { createConnector } from './db/mysql-driver.js';
export { qualify, quoteId } from './db/quote.js';
export {
  AbortedError,
  ConfigError,
  ConnectionError,
  DriftError,
  DualpipeError,
  ExitCode,
  exitCodeFor,
  LockBusyError,
  ServerError,
  StepError,
  UsageError,
} from './errors.js';
export { acquireRunLock, lockName } from './lock/run-lock.js';
export { createLogger, type Logger } from './log/logger.js';
export {
  embeddedServerStatus,
  startEmbeddedServer,
  stopEmbeddedServer,
} from './server/embedded-server.js';
export { type GrantsOptions, type GrantsResult, runGrants } from './ops/apply-grants.js';
export { type AccountPlan, planGrants } from './ops/grant-plan.js';
export { ROLE_GRANTS, ROLES, type Role } from './ops/role-privileges.js';
export { VERSION } from './version.js';
