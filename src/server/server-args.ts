/**
 * The command line of the embedded server. Only paths and settings: nothing secret is ever
 * passed as an argument (argv is visible to every user through `ps`).
 */
import { join } from 'node:path';
import type { ServerBinary } from './find-server-binary.js';

/** PEM files for the server's TLS: its certificate and key, and the CA that clients' certificates chain to. */
export interface ServerTls {
  ca?: string;
  cert: string;
  key: string;
}

/** The mariadbd/mysqld arguments of the embedded server, with TLS when `tls` is given. */
export function serverArgs(
  bin: ServerBinary,
  s: { dataDir: string; socket: string; port: number; dir: string },
  asRoot: string[],
  tls?: ServerTls,
): string[] {
  const args = [
    '--no-defaults',
    `--datadir=${s.dataDir}`,
    `--socket=${s.socket}`,
    `--port=${s.port}`,
    '--bind-address=127.0.0.1',
    `--pid-file=${join(s.dir, 'mysqld.pid')}`,
    `--log-error=${join(s.dir, 'error.log')}`,
    '--local-infile=1',
    '--character-set-server=utf8mb4',
    '--collation-server=utf8mb4_unicode_ci',
    '--innodb-buffer-pool-size=1G',
    // A private demo/test server: trade a second of durability on OS crash for write speed.
    '--innodb-flush-log-at-trx-commit=2',
    '--key-buffer-size=256M',
    '--myisam-sort-buffer-size=256M',
    '--max-allowed-packet=256M',
    '--myisam-recover-options=BACKUP,FORCE',
    // Its own temporary folder: servers sharing /tmp collided on `#sql-temptable-…` file names
    // ("Error on delete of '/tmp/#sql-temptable-…MAI'") when a test run started several.
    `--tmpdir=${join(s.dir, 'tmp')}`,
    ...asRoot,
  ];
  if (tls) {
    // Both MariaDB and MySQL turn TLS on when given a certificate and key.
    if (tls.ca) args.push(`--ssl-ca=${tls.ca}`);
    args.push(`--ssl-cert=${tls.cert}`, `--ssl-key=${tls.key}`);
  }
  if (bin.flavor === 'mysql') {
    // MySQL builds compile in a secure_file_priv folder (Debian's: /var/lib/mysql-files) and refuse to
    // start when it is missing; dualpipe reads and writes no server-side files, so its own tmp will do.
    args.push('--mysqlx=OFF', `--secure-file-priv=${join(s.dir, 'tmp')}`);
    // MySQL 8.0.30 replaced innodb_log_file_size by innodb_redo_log_capacity; 9.x refuses the old name.
    args.push('--innodb-redo-log-capacity=512M');
    // MySQL serves TLS with certificates it generates itself when given none (auto_generate_certs);
    // `db start` serves TLS only when asked, on both servers: an empty tls_version turns TLS off.
    // (The generated RSA keys stay: caching_sha2_password needs them to log in without TLS.)
    if (!tls) args.push('--tls-version=');
  } else args.push('--skip-name-resolve', '--innodb-log-file-size=256M');
  return args;
}
