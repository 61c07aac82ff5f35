/**
 * TLS settings of a target → the client-side TLS options the driver takes. Pure apart from
 * reading the PEM files the settings name; no driver types, so the config layer stays free of mysql2.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import type { ConnectionTarget, SslMode, TlsSettings } from './connection.js';

/** What mysql2's `ssl` option needs (a structural subset of its `SslOptions`). */
export interface TlsClientOptions {
  ca?: string;
  cert?: string;
  key?: string;
  /** Check the server's certificate chain against `ca` (or the system CAs without one). */
  rejectUnauthorized: boolean;
  /** Also check the host name (or IP address) against the certificate's names. */
  verifyIdentity: boolean;
}

/** Modes under which a plaintext session must be refused. */
const REQUIRING: readonly SslMode[] = ['required', 'verify-ca', 'verify-identity'];

/** True when the mode refuses a session that is not encrypted. */
export function tlsRequired(ssl: TlsSettings | undefined): boolean {
  return ssl !== undefined && REQUIRING.includes(ssl.mode);
}

function readPem(path: string | undefined, what: 'ca' | 'cert' | 'key'): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(`cannot read the TLS ${what} file ${path} (${reason})`, {
      field: `ssl-${what}`,
      cause: error,
      hint: `fix ssl-${what} in the URL or tls.*.${what} in the config file`,
    });
  }
}

/**
 * The TLS options for a session under `ssl`, or undefined for a plaintext one. `preferred` gets
 * options too (an unverified attempt): the connector falls back to plaintext when the server
 * offers no TLS, which mysql2 itself cannot do.
 */
export function tlsClientOptions(ssl: TlsSettings | undefined): TlsClientOptions | undefined {
  if (!ssl || ssl.mode === 'disabled') return undefined;
  const ca = readPem(ssl.ca, 'ca');
  const cert = readPem(ssl.cert, 'cert');
  const key = readPem(ssl.key, 'key');
  const verify = ssl.mode === 'verify-ca' || ssl.mode === 'verify-identity';
  return {
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    rejectUnauthorized: verify,
    verifyIdentity: ssl.mode === 'verify-identity',
  };
}

/**
 * TLS options for a client that cannot fall back (the knex migrations): `preferred` stays
 * plaintext there, every other mode is as in `tlsClientOptions`.
 */
export function sslOptions(target: ConnectionTarget): TlsClientOptions | undefined {
  return target.ssl?.mode === 'preferred' ? undefined : tlsClientOptions(target.ssl);
}
