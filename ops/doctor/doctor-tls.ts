/**
 * The doctor's TLS line: pass when the session is encrypted (saying how far the certificate was
 * checked), warn when it is not and nothing requires it, fail when TLS was required and the
 * session is not encrypted or could not be opened.
 */
import type { SqlConnection, TlsSettings } from '../../src/db/connection.js';
import { tlsRequired } from '../../src/db/tls-options.js';
import type { TlsError } from '../../src/errors.js';
import type { ServerlessCheck as Check } from './doctor-check.js';

const SERVER_FIX =
  'give the server a certificate (ssl_cert, ssl_key, ssl_ca in its config) and connect with ' +
  '?ssl-mode=verify-identity&ssl-ca=/path/ca.pem';

function verification(ssl: TlsSettings | undefined): string {
  if (ssl?.mode === 'verify-identity') return 'certificate and host name verified';
  if (ssl?.mode === 'verify-ca') return 'certificate verified against the CA (host name not checked)';
  return `certificate not verified (ssl-mode=${ssl?.mode ?? 'required'})`;
}

/** The TLS verdict for an open session made with `ssl`. */
export async function checkTls(conn: SqlConnection, ssl: TlsSettings | undefined): Promise<Check> {
  const rows = await conn.query<{ Variable_name: string; Value: string }>(
    "SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_cipher', 'Ssl_version')",
  );
  const value = (name: string) => rows.find((r) => r.Variable_name.toLowerCase() === name)?.Value ?? '';
  const cipher = value('ssl_cipher');
  if (cipher) {
    const version = value('ssl_version');
    return {
      name: 'TLS',
      verdict: 'pass',
      detail: `encrypted (${version ? `${version}, ` : ''}${cipher}); ${verification(ssl)}`,
    };
  }
  if (tlsRequired(ssl)) {
    return {
      name: 'TLS',
      verdict: 'fail',
      detail: `this connection is not encrypted, but ssl-mode=${ssl?.mode} requires TLS`,
      fix: SERVER_FIX,
    };
  }
  return {
    name: 'TLS',
    verdict: 'warn',
    detail: 'this connection is not encrypted',
    fix: `${SERVER_FIX}, and --require-tls to refuse plaintext (fine to ignore on a loopback or socket connection)`,
  };
}

/** The TLS verdict when a session that requires TLS could not even be opened. */
export function tlsConnectFailure(error: TlsError): Check {
  return {
    name: 'TLS',
    verdict: 'fail',
    detail: error.message.startsWith(`${error.target}: `) ? error.message.slice(error.target.length + 2) : error.message,
    fix: error.hint ?? SERVER_FIX,
  };
}
