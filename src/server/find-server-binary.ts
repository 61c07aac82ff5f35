import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

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
  const isMaria = /mariadbd$/.test(server) || findIn(installDirs, 'mariadb-install-db') !== undefined;
  if (isMaria) {
    return {
      flavor: 'mariadb',
      server,
      installDb: findIn(installDirs, 'mariadb-install-db') ?? findIn(installDirs, 'mysql_install_db'),
    };
  }
  return { flavor: 'mysql', server, installDb: undefined };
}
