import type { ConnectionTarget } from '../db/connection.js';
import { UsageError } from '../errors.js';
import { canonicalParam, tlsSettingsFromParams } from './tls-params.js';

export type { SslMode } from '../db/connection.js';
const KNOWN_PARAMS = new Set(['socket', 'ssl-mode', 'ssl-ca', 'ssl-cert', 'ssl-key']);

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
      hint: 'write % as %25 (and @ : / ? # as %40 %3A %2F %3F %23), or give the password in the *_PASSWORD environment variable',
    });
  }
}

/**
 * Parses `mysql://user[:password]@host[:port]/schema?socket=…&ssl-mode=…&ssl-ca=…&ssl-cert=…&ssl-key=…`.
 * Errors describe the problem without echoing the URL, since it may carry a password.
 */
export function parseMysqlUrl(text: string, what: string): ParsedUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${what}: malformed URL`, {
      hint: 'use the form mysql://user@host:3306/schema (password in the *_PASSWORD environment variable)',
    });
  }
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    throw new UsageError(`${what}: unsupported URL scheme "${url.protocol.replace(/:$/, '')}"`, {
      hint: 'use mysql://user@host:3306/schema',
    });
  }
  const params = url.searchParams;
  for (const key of params.keys()) {
    if (!KNOWN_PARAMS.has(canonicalParam(key))) {
      throw new UsageError(`${what}: unknown URL parameter "${key}"`, {
        hint: `known parameters: ${[...KNOWN_PARAMS].join(', ')}`,
      });
    }
  }
  const socketPath = params.get('socket') ?? undefined;
  if (!url.hostname && !socketPath) {
    throw new UsageError(`${what}: the URL names no host`, { hint: 'use mysql://user@host:3306/schema' });
  }
  let port: number | undefined;
  if (url.port) {
    port = Number(url.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new UsageError(`${what}: invalid port "${url.port}"`, { hint: 'use a port between 1 and 65535' });
    }
  }
  const path = decodePart(url.pathname.replace(/^\//, ''), 'schema name', what);
  if (path.includes('/')) {
    throw new UsageError(`${what}: the URL path must be a single schema name`, {
      hint: 'use mysql://user@host:3306/schema',
    });
  }
  const user = decodePart(url.username, 'user name', what) || 'root';
  const password = url.password ? decodePart(url.password, 'password', what) : undefined;
  const target: ParsedUrl = { user };
  if (socketPath) target.socketPath = socketPath;
  else {
    target.host = url.hostname.replace(/^\[|\]$/g, '');
    target.port = port ?? 3306;
  }
  if (password !== undefined) target.password = password;
  if (path) target.database = path;
  const ssl = tlsSettingsFromParams(params, what);
  if (ssl) target.ssl = ssl;
  return target;
}
