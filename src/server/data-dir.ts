/**
 * A server's data directory: initialised by the server's own tool (mariadb-install-db, or
 * `mysqld --initialize-insecure`), or copied from one initialised earlier.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ServerError } from '../errors.js';
import { childEnv } from './child-env.js';
import type { StartOptions } from './start-options.js';
import type { ServerBinary } from './find-server-binary.js';
import { resolveBinary } from './resolve-binary.js';

/** Initialises `dataDir` for `bin` with the server's own tool; root logs in without a password. */
export function initDataDir(bin: ServerBinary, dataDir: string, logFile: string, asRoot: string[]): void {
  const args =
    bin.flavor === 'mariadb'
      ? [
          '--no-defaults',
          `--datadir=${dataDir}`,
          '--auth-root-authentication-method=normal',
          '--skip-test-db',
          ...asRoot,
        ]
      : [
          '--no-defaults',
          '--initialize-insecure',
          `--datadir=${dataDir}`,
          `--log-error=${logFile}`,
          ...asRoot,
        ];
  const cmd = bin.flavor === 'mariadb' ? bin.installDb : bin.server;
  if (!cmd)
    throw new ServerError('found mariadbd but not mariadb-install-db', {
      hint: 'install mariadb-server-core',
    });
  const res = spawnSync(cmd, args, { encoding: 'utf8', env: childEnv() });
  if (res.status !== 0) {
    throw new ServerError(
      `initialising ${dataDir} failed: ${(res.stderr || res.stdout || '').trim().split('\n').slice(-3).join(' ')}`,
    );
  }
}

/**
 * Copies a data directory initialised earlier (never one a running server uses). MySQL's auto.cnf
 * holds the server's UUID, which names its GTIDs: it is left out, so each copy makes its own.
 */
export function copyDataDir(template: string, dataDir: string): void {
  cpSync(template, dataDir, { recursive: true });
  rmSync(join(dataDir, 'auto.cnf'), { force: true });
}

/** Initialises `<dir>/data` without starting a server (a template for `templateDataDir`); returns its path. */
export async function initialiseDataDir(options: StartOptions & { dir: string }): Promise<string> {
  const dir = resolve(options.dir);
  const dataDir = join(dir, 'data');
  const bin = await resolveBinary(options, dataDir);
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp, { recursive: true, mode: 0o700 });
  const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
  initDataDir(bin, dataDir, join(dir, 'error.log'), [...asRoot, `--tmpdir=${tmp}`]);
  return dataDir;
}
