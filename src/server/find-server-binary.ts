import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';
import { childEnv } from './child-env.js';

/** A MySQL-compatible server binary and how to initialise a data directory for it. */
export interface ServerBinary {
  flavor: 'mariadb' | 'mysql';
  server: string;
  /** `mariadb-install-db` for MariaDB; undefined for MySQL, which uses `mysqld --initialize-insecure`. */
  installDb: string | undefined;
}

/** Directories searched besides PATH: distributions put server daemons in sbin or libexec. */
export const EXTRA_DIRS = [
  '/usr/sbin',
  '/usr/local/sbin',
  '/usr/libexec',
  '/usr/local/mysql/bin',
  '/opt/mysql/bin',
];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findIn(dirs: readonly string[], name: string): string | undefined {
  for (const dir of dirs) {
    const p = join(dir, name);
    if (existsSync(p) && isExecutable(p)) return p;
  }
  return undefined;
}

/**
 * Finds `mariadbd` or `mysqld`. `explicit` (DUALPIPE_SERVER_BINARY) wins; otherwise PATH then the
 * usual daemon directories are searched. Returns undefined when nothing is found.
 */
export function findServerBinary(
  options: { explicit?: string; dirs?: readonly string[] } = {},
): ServerBinary | undefined {
  const dirs = options.dirs ?? [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA_DIRS];
  const installDirs = [...dirs, '/usr/bin', '/usr/local/bin', '/usr/local/mysql/scripts'];
  const server = options.explicit
    ? isExecutable(options.explicit)
      ? options.explicit
      : undefined
    : (findIn(dirs, 'mariadbd') ?? findIn(dirs, 'mysqld'));
  if (!server) return undefined;
  if (serverFlavor(server) === 'mariadb') {
    return {
      flavor: 'mariadb',
      server,
      installDb: findIn(installDirs, 'mariadb-install-db') ?? findIn(installDirs, 'mysql_install_db'),
    };
  }
  return { flavor: 'mysql', server, installDb: undefined };
}

/**
 * Whether a server binary is MariaDB or Oracle MySQL, from the binary itself: Debian's MariaDB also
 * installs a `mysqld` (a link to mariadbd), and a MySQL binary given by path (DUALPIPE_SERVER_BINARY,
 * the fetched MySQL's wrapper) may sit on a machine where MariaDB is installed too, so neither the name
 * nor the presence of `mariadb-install-db` decides. Both print "… Ver X.Y.Z-MariaDB …" or
 * "… Ver X.Y.Z …" for `--version`.
 */
export function serverFlavor(server: string): 'mariadb' | 'mysql' {
  if (basename(server) === 'mariadbd') return 'mariadb';
  const res = spawnSync(server, ['--version'], { encoding: 'utf8', env: childEnv(), timeout: 30_000 });
  // Match the version word, not the whole line: the line starts with the binary's path.
  return /\bVer\s+\S*-MariaDB/i.test(`${res.stdout ?? ''}${res.stderr ?? ''}`) ? 'mariadb' : 'mysql';
}
