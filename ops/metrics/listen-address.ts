/**
 * `--metrics-listen host:port`: where the metrics server listens. The host is required (no
 * "all interfaces" by accident: metrics tell a lot about a database), IPv6 in brackets.
 */
import { isIP } from 'node:net';
import { UsageError } from '../../src/errors.js';

/** A host and port to listen on. */
export interface ListenAddress {
  host: string;
  port: number;
}

const HOSTNAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*$/;

/** Parses `127.0.0.1:9464`, `localhost:9464` or `[::1]:9464`; refuses anything else in one line. */
export function parseListenAddress(text: string, flag = '--metrics-listen'): ListenAddress {
  const bad = (why: string) =>
    new UsageError(`${flag} ${JSON.stringify(text)}: ${why}`, { hint: 'give host:port, e.g. 127.0.0.1:9464 or [::1]:9464' });
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  if (!m) throw bad('not host:port');
  const host = m[1] ?? m[2]!;
  if (m[1] !== undefined ? isIP(host) !== 6 : isIP(host) !== 4 && !HOSTNAME.test(host)) throw bad(`"${host}" is not an IP address or host name`);
  const port = Number(m[3]);
  if (port < 1 || port > 65_535) throw bad('the port must be 1 to 65535');
  return { host, port };
}
