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

/** PATH, then the usual daemon directories. */
export function searchDirs(): string[] {
  return [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA_DIRS];
}

/** Every executable `name` in `dirs`, in order. */
function allIn(dirs: readonly string[], name: string): string[] {
  return dirs.map((d) => join(d, name)).filter((p) => existsSync(p) && isExecutable(p));
}

/** The server binary at `server` (its flavor asked from itself), or undefined when it is not executable. */
export function serverBinaryAt(server: string, dirs: readonly string[] = searchDirs()): ServerBinary | undefined {
  if (!existsSync(server) || !isExecutable(server)) return undefined;
  if (serverFlavor(server) === 'mariadb') {
    const installDirs = [...dirs, '/usr/bin', '/usr/local/bin', '/usr/local/mysql/scripts'];
    return {
      flavor: 'mariadb',
      server,
      installDb: findIn(installDirs, 'mariadb-install-db') ?? findIn(installDirs, 'mysql_install_db'),
    };
  }
  return { flavor: 'mysql', server, installDb: undefined };
}

/**
 * Finds `mariadbd` or `mysqld`. `explicit` (DUALPIPE_SERVER_BINARY) wins; otherwise PATH then the
 * usual daemon directories are searched: for `flavor`, the first binary that is of that flavor
 * (Debian's MariaDB installs a `mysqld` that is mariadbd); without it, mariadbd first. Returns
 * undefined when nothing is found.
 */
export function findServerBinary(
  options: { explicit?: string; dirs?: readonly string[]; flavor?: 'mariadb' | 'mysql' } = {},
): ServerBinary | undefined {
  const dirs = options.dirs ?? searchDirs();
  if (options.explicit) return serverBinaryAt(options.explicit, dirs);
  const names = options.flavor === 'mysql' ? ['mysqld'] : ['mariadbd', 'mysqld'];
  for (const name of names) {
    for (const server of allIn(dirs, name)) {
      const bin = serverBinaryAt(server, dirs);
      if (bin && (!options.flavor || bin.flavor === options.flavor)) return bin;
      if (!options.flavor) return bin;
    }
  }
  return undefined;
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
