/**
 * One connection target from layers of partial settings, highest precedence first
 * (flags > URL > environment > option files > config > defaults).
 *
 * Fields merge one by one, except where the server is: the first layer that names a host or a
 * socket decides it, so a `~/.my.cnf` socket never redirects a URL that names a host. Within that
 * layer the MySQL client's rule applies: the socket is used when the host is absent or `localhost`.
 */
import type { ConnectionTarget } from '../db/connection.js';
import { UsageError } from '../errors.js';
import type { TlsFields } from './tls-params.js';

/** Partial connection settings from one source (flags, a URL, the environment, option files). */
export interface ConnectionFields {
  host?: string | undefined;
  port?: number | undefined;
  user?: string | undefined;
  password?: string | undefined;
  socket?: string | undefined;
  /** The schema (`-D`/`--database`, a URL's path, `database=` in an option file). */
  database?: string | undefined;
  tls?: TlsFields | undefined;
}

/** Parses a port given as text (a flag or an option file), naming where it came from. */
export function parsePort(text: string, what: string): number {
  const port = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || port < 1 || port > 65535) {
    throw new UsageError(`${what}: invalid port "${text}"`, { hint: 'use a port between 1 and 65535' });
  }
  return port;
}

/**
 * The connection fields of option-file options (names already canonical: `-` for `_`). A bare
 * `password` (which makes MySQL's client prompt) sets nothing; `skip-ssl` means ssl-mode=disabled
 * and MariaDB's `ssl-verify-server-cert` means verify-identity.
 */
export function fieldsFromOptions(options: ReadonlyMap<string, string>, what: string): ConnectionFields {
  const out: ConnectionFields = {};
  const get = (k: string): string | undefined => {
    const v = options.get(k);
    return v === undefined || v === '' ? undefined : v;
  };
  if (get('host')) out.host = get('host');
  if (get('user')) out.user = get('user');
  if (get('password') !== undefined) out.password = get('password');
  if (get('socket')) out.socket = get('socket');
  if (get('database')) out.database = get('database');
  const port = get('port');
  if (port !== undefined) out.port = parsePort(port, what);
  const tls: TlsFields = {};
  let mode = get('ssl-mode');
  if (!mode && options.has('skip-ssl')) mode = 'disabled';
  if (!mode && options.has('ssl-verify-server-cert') && !['0', 'off', 'false'].includes(options.get('ssl-verify-server-cert')!)) mode = 'verify-identity';
  if (mode) tls.mode = mode;
  for (const k of ['ca', 'cert', 'key'] as const) {
    const v = get(`ssl-${k}`);
    if (v) tls[k] = v;
  }
  if (Object.keys(tls).length > 0) out.tls = tls;
  return out;
}

/**
 * The MySQL client's environment variables MYSQL_HOST, MYSQL_TCP_PORT and MYSQL_UNIX_PORT. MySQL
 * fact (libmysql, checked with MySQL 9.7's client): they rank BELOW option files (`host=` in
 * ~/.my.cnf beats MYSQL_HOST; `-P` beats both), so this layer goes after the option files.
 */
export function fieldsFromMysqlEnv(env: Record<string, string | undefined>): ConnectionFields {
  const out: ConnectionFields = {};
  if (env.MYSQL_HOST) out.host = env.MYSQL_HOST;
  if (env.MYSQL_UNIX_PORT) out.socket = env.MYSQL_UNIX_PORT;
  if (env.MYSQL_TCP_PORT) out.port = parsePort(env.MYSQL_TCP_PORT, 'MYSQL_TCP_PORT');
  return out;
}

/** The first database any layer names. */
export function firstDatabase(layers: readonly ConnectionFields[]): string | undefined {
  return layers.find((l) => l.database !== undefined)?.database;
}

/** True when some layer says where the server is (a host or a socket). */
export function namesServer(layers: readonly ConnectionFields[]): boolean {
  return layers.some((l) => l.host !== undefined || l.socket !== undefined);
}

/**
 * Merges layers (highest first) into a target: user `root` and port 3306 unless a layer gives them.
 * Throws when no layer names a host or a socket (callers check `namesServer` first).
 */
export function mergeLayers(layers: readonly ConnectionFields[], what: string): ConnectionTarget {
  const where = layers.find((l) => l.host !== undefined || l.socket !== undefined);
  if (!where) throw new UsageError(`${what}: no host or socket given`, { hint: 'give --host or --socket, a URL, or host= in ~/.my.cnf' });
  const first = <K extends keyof ConnectionFields>(k: K): ConnectionFields[K] => layers.find((l) => l[k] !== undefined)?.[k];
  const target: ConnectionTarget = { user: first('user') ?? 'root' };
  if (where.socket !== undefined && (where.host === undefined || where.host === 'localhost')) target.socketPath = where.socket;
  else {
    target.host = where.host!;
    target.port = first('port') ?? 3306;
  }
  const password = first('password');
  if (password !== undefined) target.password = password;
  return target;
}
