import type { ConnectionTarget } from '../db/connection.js';
import type { EmbeddedServerState } from './server-state.js';

/**
 * The connection target of the running embedded server, with the given schema. A server started
 * with TLS is reached over TLS: verified against its CA when one was given.
 */
export function embeddedTarget(
  state: EmbeddedServerState,
  database?: string,
): ConnectionTarget & { database?: string } {
  const ssl = state.tls && (state.tls.ca ? { mode: 'verify-ca' as const, ca: state.tls.ca } : { mode: 'required' as const });
  return { host: '127.0.0.1', port: state.port, user: 'root', ...(database ? { database } : {}), ...(ssl ? { ssl } : {}) };
}

/** The URL of the running embedded server (for DUALPIPE_SOURCE_URL), with its TLS parameters. */
export function embeddedUrl(state: EmbeddedServerState, database = 'crm'): string {
  const base = `mysql://root@127.0.0.1:${state.port}/${database}`;
  if (!state.tls) return base;
  return state.tls.ca ? `${base}?ssl-mode=verify-ca&ssl-ca=${encodeURIComponent(state.tls.ca)}` : `${base}?ssl-mode=required`;
}
