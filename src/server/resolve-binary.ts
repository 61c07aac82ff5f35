import { InternalError, ServerError } from '../errors.js';
import { silentLogger } from '../log/logger.js';
import type { StartOptions } from './start-options.js';
import { fetchMysql, mysqlCacheDir } from './fetch-mysql.js';
import type { ServerBinary } from './find-server-binary.js';
import { installServerPackage } from './install-server.js';
import { findServers } from './server-findings.js';
import { planServer } from './server-plan.js';

/**
 * The server binary to run: planned from what was asked and found (server-plan.ts); an install
 * (apt-get, MariaDB) or fetch (get-mysql.sh, MySQL) runs once, then the plan is made again.
 */
export async function resolveBinary(options: StartOptions, dataDir: string): Promise<ServerBinary> {
  const log = options.logger ?? silentLogger;
  const cacheDir = options.mysqlCacheDir ?? mysqlCacheDir();
  const find = () =>
    findServers({
      ...(options.binary ? { explicit: options.binary } : {}),
      ...(options.searchDirs ? { dirs: options.searchDirs } : {}),
      cacheDir,
      dataDir,
    });
  const request = { ...(options.server ? { server: options.server } : {}), install: options.install === true };
  let plan = planServer(request, find());
  if (plan.action === 'install') {
    if (plan.route === 'apt-mariadb') installServerPackage(log);
    else await fetchMysql(cacheDir, log);
    plan = planServer({ ...request, install: false }, find());
  }
  if (plan.action === 'start') {
    log.info({ binary: plan.binary.server, flavor: plan.binary.flavor, from: plan.from }, 'server binary chosen');
    return plan.binary;
  }
  if (plan.action === 'refuse') throw new ServerError(plan.message, { hint: plan.hint });
  throw new InternalError('resolveBinary', `a second install was planned (${plan.route})`);
}

