/**
 * Which server `db start` runs, decided from plain values: what was asked (`--server`, `--install`)
 * and what was found (DUALPIPE_SERVER_BINARY, the fetched MySQL's cache, PATH, the data directory).
 * No I/O here: find-server-binary.ts gathers the findings and embedded-server.ts carries the plan out.
 */
import type { ServerBinary } from './find-server-binary.js';

/** The server families `db start --server` can run. */
export type ServerFlavor = 'mariadb' | 'mysql';

/** What was found on this machine, as the planner sees it. */
export interface ServerFindings {
  /** DUALPIPE_SERVER_BINARY: the path given, and the binary when it is an executable file. */
  explicit?: { path: string; binary: ServerBinary | undefined };
  /** The MySQL fetched by scripts/get-mysql.sh into `cacheDir`, when it is there. */
  cached?: ServerBinary;
  /** The fetched MySQL's cache folder (named in the advice when it is empty). */
  cacheDir: string;
  /** The first binary of each flavor on PATH and in the daemon directories. */
  onPath: Partial<Record<ServerFlavor, ServerBinary>>;
  /** The flavor that initialised the existing data directory, when there is one. */
  dataFlavor?: ServerFlavor;
}

/** What the user asked for. */
export interface ServerRequest {
  /** `--server`; undefined: the data directory's flavor, else whatever is installed (MariaDB first). */
  server?: ServerFlavor;
  /** `--install`: install (MariaDB, apt-get) or fetch (MySQL, get-mysql.sh) when nothing is found. */
  install: boolean;
}

/** What `db start` does: start a binary, install one first, or refuse with one line of advice. */
export type ServerPlan =
  | { action: 'start'; binary: ServerBinary; from: 'explicit' | 'cache' | 'path' }
  | { action: 'install'; route: 'apt-mariadb' | 'fetch-mysql' }
  | { action: 'refuse'; message: string; hint: string };

const NAME: Record<ServerFlavor, string> = { mariadb: 'MariaDB', mysql: 'MySQL' };

/** The plan for `db start` given the request and the findings. */
export function planServer(request: ServerRequest, found: ServerFindings): ServerPlan {
  // A data directory belongs to the server that initialised it: MySQL 8+ keeps its dictionary in
  // mysql.ibd and refuses MariaDB's system tables, and MariaDB cannot read MySQL's. Without
  // --server, `db start` restarts the kind that is already there.
  const wanted = request.server ?? found.dataFlavor;
  const chosen = pick(wanted, found);
  if (chosen && 'action' in chosen) return chosen;
  if (chosen) {
    if (found.dataFlavor && chosen.binary.flavor !== found.dataFlavor) {
      return {
        action: 'refuse',
        message: `the data directory was initialised by ${NAME[found.dataFlavor]} and ${NAME[chosen.binary.flavor]} cannot open it`,
        hint: `run \`dualpipe db start --server ${found.dataFlavor}\`, or set DUALPIPE_SERVER_DIR to another folder`,
      };
    }
    return { action: 'start', ...chosen };
  }
  if (wanted === 'mysql') {
    if (request.install) return { action: 'install', route: 'fetch-mysql' };
    return {
      action: 'refuse',
      message: `no MySQL server binary found: run \`dualpipe db start --install --server mysql\` to fetch Oracle MySQL into ${found.cacheDir}`,
      hint: 'or set DUALPIPE_SERVER_BINARY to a mysqld',
    };
  }
  if (request.install) return { action: 'install', route: 'apt-mariadb' };
  if (wanted === 'mariadb') {
    return {
      action: 'refuse',
      message: 'no MariaDB server binary found (looked for mariadbd and mysqld on PATH and in /usr/sbin)',
      hint: 'run `dualpipe db start --install` (Debian/Ubuntu as root) or `apt-get install mariadb-server-core`',
    };
  }
  return {
    action: 'refuse',
    message: 'no MySQL or MariaDB server binary found (looked for mariadbd and mysqld on PATH and in /usr/sbin)',
    hint:
      'run `dualpipe db start --install` (MariaDB, Debian/Ubuntu as root) or `dualpipe db start --install --server mysql` ' +
      '(fetches Oracle MySQL), or point DUALPIPE_SOURCE_URL at an existing server, or run `docker compose up -d`',
  };
}

type Pick = { binary: ServerBinary; from: 'explicit' | 'cache' | 'path' } | Extract<ServerPlan, { action: 'refuse' }>;

/** The binary for the wanted flavor, a refusal of an unusable DUALPIPE_SERVER_BINARY, or undefined. */
function pick(wanted: ServerFlavor | undefined, found: ServerFindings): Pick | undefined {
  const ex = found.explicit;
  if (ex) {
    if (!ex.binary) {
      return { action: 'refuse', message: `DUALPIPE_SERVER_BINARY ${ex.path} is not an executable file`, hint: 'point it at a mariadbd or mysqld, or unset it' };
    }
    if (wanted && ex.binary.flavor !== wanted) {
      return {
        action: 'refuse',
        message: `DUALPIPE_SERVER_BINARY ${ex.path} is ${NAME[ex.binary.flavor]}, not ${NAME[wanted]}`,
        hint: `unset it, or run \`dualpipe db start --server ${ex.binary.flavor}\``,
      };
    }
    return { binary: ex.binary, from: 'explicit' };
  }
  if (wanted === 'mysql') {
    // The fetched MySQL first: it is the one the project tests on.
    if (found.cached) return { binary: found.cached, from: 'cache' };
    return found.onPath.mysql && { binary: found.onPath.mysql, from: 'path' };
  }
  if (wanted === 'mariadb') return found.onPath.mariadb && { binary: found.onPath.mariadb, from: 'path' };
  const any = found.onPath.mariadb ?? found.onPath.mysql;
  return any && { binary: any, from: 'path' };
}
