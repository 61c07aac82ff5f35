import { connect as netConnect, isIP } from 'node:net';
import type { ConnectionTarget } from './connection.js';
import { sslOptions, type TlsClientOptions } from './tls-options.js';

/**
 * mysql2 hands Node no host name when the host is an IP address (SNI forbids one), and Node then
 * checks the certificate's names against "localhost", not the address. For verify-identity to an
 * IP, the socket is opened here and carries the address where Node's check looks for it last.
 */
function ipIdentitySocket(host: string, port: number): () => NodeJS.ReadWriteStream {
  return () => {
    const socket = netConnect(port, host);
    Object.assign(socket, { _host: host });
    socket.setNoDelay(true);
    socket.on('connect', () => socket.setKeepAlive(true));
    return socket;
  };
}

/**
 * The TLS part of mysql2's connection options: `ssl`, and for verify-identity to an IP address
 * the socket factory above. Defaults to what a client that cannot fall back needs (the knex
 * migrations: `preferred` stays plaintext there).
 */
export function tlsConnectionOptions(
  target: ConnectionTarget,
  tls: TlsClientOptions | undefined = sslOptions(target),
): { ssl?: TlsClientOptions; stream?: () => NodeJS.ReadWriteStream } {
  if (!tls) return {};
  const ip = !target.socketPath && target.host && isIP(target.host) ? target.host : undefined;
  return { ssl: tls, ...(ip && tls.verifyIdentity ? { stream: ipIdentitySocket(ip, target.port ?? 3306) } : {}) };
}
