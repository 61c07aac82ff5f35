/**
 * What every CLI action needs before it runs (cli/context.ts): configuration, logging, the state
 * directory and the watched pipeline. Loaded on the first action, never for `--help`/`--version`
 * (it brings pino, zod and mysql2). Re-exports of api/index.ts's names.
 */
export { createLogger } from '../src/log/logger.js';
export { openLogFile } from '../src/log/log-file.js';
export { loadConfigFile } from '../src/config/config-file.js';
export { resolveStateDir, serverDirIn } from '../src/config/state-dir.js';
export { resolveConfig } from '../src/config/resolve-config.js';
export { embeddedServerStatus, embeddedTarget } from '../src/server/embedded-server.js';
export { resolveRunLimits } from '../src/guard/run-limits.js';
export { RunWatch } from '../src/guard/run-watch.js';
export { createWatchedPipeline } from '../ops/watched-pipeline.js';
