import type { ConnectionTarget, TlsSettings } from '../db/connection.js';
import { UsageError } from '../errors.js';
import { canonicalParam, tlsSettingsFromParams } from './tls-params.js';

export type { SslMode } from '../db/connection.js';
const KNOWN_PARAMS = new Set(['socket', 'ssl-mode', 'ssl-ca', 'ssl-cert', 'ssl-key']);

const PASSWORD_HINT =
  'percent-encode it (@ : / ? # % as %40 %3A %2F %3F %23 %25), or leave it out of the URL: use an option file (~/.my.cnf [client] password=…), --password, or the *_PASSWORD environment variable';

/** A parsed `mysql://` URL. The password, if any, is kept out of every printable field. */
export interface ParsedUrl extends ConnectionTarget {
  database?: string;
}

/** Percent-decodes one part of the URL; a bad escape (`50%off`) is a UsageError naming the part, never its text. */
function decodePart(text: string, part: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new UsageError(`${what}: invalid percent-encoding in the URL's ${part}`, {
      hint: part === 'password' ? PASSWORD_HINT : 'write % as %25 (and @ : / ? # as %40 %3A %2F %3F %23)',
    });
  }
}


/** Says which part of a URL that `new URL` refused is wrong, without echoing the text (it may hold a password). */
function diagnoseMalformed(text: string, what: string): UsageError {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (!scheme) return new UsageError(`${what}: malformed URL: it does not start with mysql://`, { hint: 'use the form mysql://user@host:3306/schema' });
  const rest = text.slice(scheme[0].length);
  const at = rest.lastIndexOf('@');
  const userinfo = at >= 0 ? rest.slice(0, at) : '';
  if (/[#/?\s]/.test(userinfo)) {
    const inPassword = userinfo.includes(':') && /[#/?\s]/.test(userinfo.slice(userinfo.indexOf(':') + 1));
    return new UsageError(`${what}: malformed URL: the ${inPassword ? 'password' : 'user name'} contains # / ? or a space, which end that part of a URL`, {
      hint: inPassword ? PASSWORD_HINT : 'percent-encode the user name (# / ? as %23 %2F %3F)',
    });
  }
  const hostPort = rest.slice(at + 1).split(/[/?#]/)[0] ?? '';
  const port = /:([^:\]]*)$/.exec(hostPort);
  if (port && !/^\d{1,5}$/.test(port[1]!)) {
    return new UsageError(`${what}: malformed URL: the port is not a number`, { hint: 'use a port between 1 and 65535' });
  }
  if (port && Number(port[1]) > 65535) return new UsageError(`${what}: malformed URL: the port is above 65535`, { hint: 'use a port between 1 and 65535' });
  return new UsageError(`${what}: malformed URL: the host part is not valid`, {
    hint: 'use the form mysql://user@host:3306/schema (a password with @ : / ? # % must be percent-encoded)',
  });
}

/** The fields a URL names, without defaults (no port means "not said", not 3306). */
export interface UrlFields {
  user?: string;
  password?: string;
  host?: string;
  port?: number;
  socket?: string;
  database?: string;
  ssl?: TlsSettings;
}

/**
 * Parses `mysql://user[:password]@host[:port]/schema?socket=…&ssl-mode=…&ssl-ca=…&ssl-cert=…&ssl-key=…`
 * into the fields it names. Errors say which part is wrong without echoing the URL.
 */
export function parseMysqlUrlFields(text: string, what: string): UrlFields {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw diagnoseMalformed(text, what);
  }
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    throw new UsageError(`${what}: unsupported URL scheme "${url.protocol.replace(/:$/, '')}"`, {
      hint: 'use mysql://user@host:3306/schema',
    });
  }
  if (url.hash) {
    throw new UsageError(`${what}: the URL has a # fragment (a # in the password or schema name must be written %23)`, { hint: PASSWORD_HINT });
  }
  const params = url.searchParams;
  for (const key of params.keys()) {
    if (!KNOWN_PARAMS.has(canonicalParam(key))) {
      throw new UsageError(`${what}: unknown URL parameter "${key}"`, {
        hint: `known parameters: ${[...KNOWN_PARAMS].join(', ')}`,
      });
    }
  }
  const out: UrlFields = {};
  const socket = params.get('socket');
  if (socket) out.socket = socket;
  if (url.hostname) out.host = url.hostname.replace(/^\[|\]$/g, '');
  if (url.port) {
    const port = Number(url.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new UsageError(`${what}: invalid port "${url.port}"`, { hint: 'use a port between 1 and 65535' });
    }
    out.port = port;
  }
  const path = decodePart(url.pathname.replace(/^\//, ''), 'schema name', what);
  if (path.includes('/')) {
    throw new UsageError(`${what}: the URL path must be a single schema name`, {
      hint: 'use mysql://user@host:3306/schema',
    });
  }
  if (path) out.database = path;
  const user = decodePart(url.username, 'user name', what);
  if (user) out.user = user;
  if (url.password) out.password = decodePart(url.password, 'password', what);
  const ssl = tlsSettingsFromParams(params, what);
  if (ssl) out.ssl = ssl;
  return out;
}

/**
 * Parses a complete `mysql://` URL into a target: user root and port 3306 unless given; a socket
 * parameter wins over the host. Errors describe the problem without echoing the URL.
 */
export function parseMysqlUrl(text: string, what: string): ParsedUrl {
  const f = parseMysqlUrlFields(text, what);
  if (!f.host && !f.socket) {
    throw new UsageError(`${what}: the URL names no host`, { hint: 'use mysql://user@host:3306/schema' });
  }
  const target: ParsedUrl = { user: f.user ?? 'root' };
  if (f.socket) target.socketPath = f.socket;
  else {
    target.host = f.host!;
    target.port = f.port ?? 3306;
  }
  if (f.password !== undefined) target.password = f.password;
  if (f.database) target.database = f.database;
  if (f.ssl) target.ssl = f.ssl;
  return target;
}
