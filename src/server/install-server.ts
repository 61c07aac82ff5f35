import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ServerError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { childEnv } from './child-env.js';

/** Installs Debian's mariadb-server-core with apt-get, saying so. Only on Debian/Ubuntu as root. */
export function installServerPackage(log: Logger): void {
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    throw new ServerError('cannot install a server here: --install needs Debian/Ubuntu and root', {
      hint: 'install MariaDB or MySQL with your package manager, or set DUALPIPE_SOURCE_URL',
    });
  }
  log.warn('no server binary found: installing mariadb-server-core and mariadb-client with apt-get');
  process.stderr.write('dualpipe: installing mariadb-server-core mariadb-client with apt-get …\n');
  const env = childEnv(process.env, { DEBIAN_FRONTEND: 'noninteractive' });
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (update.status !== 0)
    throw new ServerError('apt-get update failed', { hint: 'check the package sources' });
  const inst = spawnSync('apt-get', ['install', '-y', '-qq', 'mariadb-server-core', 'mariadb-client'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env,
  });
  if (inst.status !== 0) throw new ServerError('apt-get install mariadb-server-core failed');
}
