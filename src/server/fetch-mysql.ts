/**
 * The fetch route for Oracle MySQL: scripts/get-mysql.sh (shipped with the package) unpacks Debian's
 * mysql-server-core into a private cache folder, nothing installed system-wide. `db start --install
 * --server mysql` runs it when no MySQL binary is found.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ServerError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { childEnv } from './child-env.js';

/** Where get-mysql.sh caches MySQL: $XDG_CACHE_HOME/dualpipe-mysql, else ~/.cache/dualpipe-mysql. */
export function mysqlCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'dualpipe-mysql');
}

/** The fetched MySQL's server wrapper in `cacheDir`. */
export function cachedMysqld(cacheDir: string): string {
  return join(cacheDir, 'bin', 'mysqld');
}

/** The package's get-mysql.sh, from src/server/ (a checkout) or dist/src/server/ (the package). */
export function fetchScriptPath(): string {
  for (const rel of ['../../scripts/get-mysql.sh', '../../../scripts/get-mysql.sh']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new ServerError('scripts/get-mysql.sh is missing from this installation of dualpipe', {
    hint: 'reinstall dualpipe, or fetch MySQL yourself and set DUALPIPE_SERVER_BINARY to its mysqld',
  });
}

/**
 * Runs get-mysql.sh into `cacheDir`, each line of its output through the logger. The script needs
 * no secret, and its environment has none (childEnv). Resolves when the server wrapper is there.
 */
export async function fetchMysql(cacheDir: string, log: Logger): Promise<string> {
  const script = fetchScriptPath();
  log.warn({ cacheDir }, 'no MySQL server binary found: fetching Oracle MySQL with scripts/get-mysql.sh');
  const child = spawn('bash', [script, cacheDir], { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
  const tail: string[] = [];
  const relay = (stream: NodeJS.ReadableStream) =>
    createInterface({ input: stream }).on('line', (line) => {
      tail.push(line);
      if (tail.length > 5) tail.shift();
      log.info({ line }, 'get-mysql');
    });
  relay(child.stdout);
  relay(child.stderr);
  const code = await new Promise<number | null>((res, rej) => {
    child.once('error', rej);
    child.once('close', res);
  });
  const mysqld = cachedMysqld(cacheDir);
  if (code !== 0 || !existsSync(mysqld)) {
    throw new ServerError(`fetching MySQL into ${cacheDir} failed (get-mysql.sh exited with ${code}): ${tail.join(' ')}`, {
      hint: 'it needs Debian/Ubuntu on x86_64 with apt-get, dpkg and access to the Debian archive',
    });
  }
  return mysqld;
}
