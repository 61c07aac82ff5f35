/** Gathers what `db start` can run on this machine, for the planner in server-plan.ts. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cachedMysqld } from './fetch-mysql.js';
import { findServerBinary, searchDirs, serverBinaryAt, type ServerBinary } from './find-server-binary.js';
import type { ServerFindings, ServerFlavor } from './server-plan.js';

/** Where to look: DUALPIPE_SERVER_BINARY, the fetched MySQL's cache, and the search path. */
export interface FindOptions {
  explicit?: string;
  cacheDir: string;
  /** Directories to search instead of PATH and the usual ones (tests). */
  dirs?: readonly string[];
  /** The data directory, to tell which server initialised it. */
  dataDir: string;
}

/**
 * Which server initialised a data directory, from its files: MySQL 8+ keeps its data dictionary in
 * `mysql.ibd`; MariaDB's Aria engine writes `aria_log_control`. Undefined for none or neither.
 */
export function dataDirFlavor(dataDir: string): ServerFlavor | undefined {
  if (existsSync(join(dataDir, 'mysql.ibd'))) return 'mysql';
  if (existsSync(join(dataDir, 'aria_log_control'))) return 'mariadb';
  return undefined;
}

/** The findings: each candidate asked for its flavor (`--version`), since names do not tell. */
export function findServers(options: FindOptions): ServerFindings {
  const dirs = options.dirs ?? searchDirs();
  const onPath: Partial<Record<ServerFlavor, ServerBinary>> = {};
  const maria = findServerBinary({ dirs, flavor: 'mariadb' });
  const mysql = findServerBinary({ dirs, flavor: 'mysql' });
  if (maria) onPath.mariadb = maria;
  if (mysql) onPath.mysql = mysql;
  const cached = serverBinaryAt(cachedMysqld(options.cacheDir), dirs);
  const dataFlavor = dataDirFlavor(options.dataDir);
  return {
    ...(options.explicit ? { explicit: { path: options.explicit, binary: serverBinaryAt(options.explicit, dirs) } } : {}),
    ...(cached?.flavor === 'mysql' ? { cached } : {}),
    cacheDir: options.cacheDir,
    onPath,
    ...(dataFlavor ? { dataFlavor } : {}),
  };
}
