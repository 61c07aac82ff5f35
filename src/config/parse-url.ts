import type { ConnectionTarget } from '../db/connection.js';
import { UsageError } from '../errors.js';

export type SslMode = NonNullable<ConnectionTarget['ssl']>['mode'];
const SSL_MODES: readonly SslMode[] = ['disabled', 'preferred', 'required', 'verify-ca', 'verify-identity'];
const KNOWN_PARAMS = new Set(['socket', 'ssl-mode', 'ssl-ca', 'ssl-cert', 'ssl-key']);

/** A parsed `mysql://` URL. The password, if any, is kept out of every printable field. */
export interface ParsedUrl extends ConnectionTarget {
  database?: string;
}

/**
 * Parses `mysql://user[:password]@host[:port]/schema?socket=…&ssl-mode=…`.
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
    if (!KNOWN_PARAMS.has(key)) {
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
  const path = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (path.includes('/')) {
    throw new UsageError(`${what}: the URL path must be a single schema name`, {
      hint: 'use mysql://user@host:3306/schema',
    });
  }
  const user = decodeURIComponent(url.username) || 'root';
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  const target: ParsedUrl = { user };
  if (socketPath) target.socketPath = socketPath;
  else {
    target.host = url.hostname.replace(/^\[|\]$/g, '');
    target.port = port ?? 3306;
  }
  if (password !== undefined) target.password = password;
  if (path) target.database = path;
  const mode = params.get('ssl-mode');
  if (mode !== null || params.has('ssl-ca')) {
    const m = (mode ?? 'verify-ca').toLowerCase() as SslMode;
    if (!SSL_MODES.includes(m)) {
      throw new UsageError(`${what}: invalid ssl-mode "${mode}"`, {
        hint: `use one of ${SSL_MODES.join(', ')}`,
      });
    }
    target.ssl = { mode: m };
    const ca = params.get('ssl-ca');
    const cert = params.get('ssl-cert');
    const key = params.get('ssl-key');
    if (ca) target.ssl.ca = ca;
    if (cert) target.ssl.cert = cert;
    if (key) target.ssl.key = key;
  }
  return target;
}
