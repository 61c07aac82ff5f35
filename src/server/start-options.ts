import type { Logger } from '../log/logger.js';
import type { ServerTls } from './server-args.js';
import type { ServerFlavor } from './server-plan.js';

/** Options of `startEmbeddedServer`. */
export interface StartOptions {
  /** Folder holding data/, the socket, the error log and state.json. */
  dir?: string;
  port?: number;
  /**
   * When no binary of the asked kind exists: install mariadb-server-core with apt-get (Debian/Ubuntu,
   * root), or for `server: 'mysql'` fetch Oracle MySQL with scripts/get-mysql.sh into `mysqlCacheDir`.
   */
  install?: boolean;
  /** Which server to run (`db start --server`); default: the data directory's, else MariaDB first. */
  server?: ServerFlavor;
  /** The fetched MySQL's cache folder (default ~/.cache/dualpipe-mysql). */
  mysqlCacheDir?: string;
  /** Explicit server binary (DUALPIPE_SERVER_BINARY). */
  binary?: string;
  /** Directories to search instead of PATH and the usual ones (tests). */
  searchDirs?: readonly string[];
  /** Extra server options, e.g. `--log-bin=binlog`. */
  extraArgs?: readonly string[];
  /** Serve TLS with these PEM files (`db start --ssl-cert … --ssl-key … [--ssl-ca …]`). */
  tls?: ServerTls;
  /**
   * A data directory made earlier by `initialiseDataDir` with the same binary, copied instead of
   * initialising a new one (the test suite starts many servers; MySQL's --initialize takes 5–15 s).
   */
  templateDataDir?: string;
  logger?: Logger;
}
