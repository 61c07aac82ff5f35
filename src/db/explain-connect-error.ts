import { ConnectionError, MissingSchemaError, TlsError } from '../errors.js';
import type { SslMode } from './connection.js';

interface DriverError extends Error {
  code?: string;
  errno?: number;
  sqlMessage?: string;
}

/** What the connector tried, so that the explanation can name the TLS setting at fault. */
export interface ConnectAttempt {
  database?: string | undefined;
  /** The ssl-mode in force; undefined or `disabled` for a plaintext attempt. */
  sslMode?: SslMode | undefined;
  /** True when the session was to be encrypted. */
  encrypted?: boolean;
}

/** Node's codes for a certificate that failed the chain check (OpenSSL's X509_V_ERR_* names). */
const CHAIN_CODES = /^(UNABLE_TO_|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED|CERT_|INVALID_CA|PATH_LENGTH|INVALID_PURPOSE|CERT_UNTRUSTED|CERT_REJECTED)/;

/**
 * mysql2 relabels every TLS failure HANDSHAKE_SSL_ERROR and drops Node's code, so the kind is
 * recovered from Node's message ("Hostname/IP does not match certificate's altnames", "unable to
 * get local issuer certificate", "self-signed certificate in certificate chain", …).
 */
function tlsCode(e: DriverError): string {
  const code = e.code ?? '';
  if (code !== 'HANDSHAKE_SSL_ERROR') return code;
  const m = e.message ?? '';
  if (/altnames|does not match certificate/i.test(m)) return 'ERR_TLS_CERT_ALTNAME_INVALID';
  if (/certificate|issuer|self[- ]signed|verify/i.test(m)) return 'UNABLE_TO_VERIFY';
  return 'ERR_TLS_HANDSHAKE';
}

function explainTls(label: string, e: DriverError, attempt: ConnectAttempt): TlsError | undefined {
  const mode = attempt.sslMode ?? 'required';
  const code = tlsCode(e);
  if (code === 'HANDSHAKE_NO_SSL_SUPPORT') {
    return new TlsError(label, `the server offers no TLS, and ssl-mode=${mode} refuses a plaintext connection`, {
      cause: e,
      hint: 'start the server with ssl_cert/ssl_key (and ssl_ca), or drop --require-tls / ssl-mode from the URL',
    });
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new TlsError(label, `the server's certificate does not name this host (ssl-mode=${mode}): ${e.message}`, {
      cause: e,
      hint: 'connect with a host name or IP address the certificate lists, or use ssl-mode=verify-ca',
    });
  }
  if (CHAIN_CODES.test(code)) {
    return new TlsError(label, `the server's certificate failed verification (ssl-mode=${mode}): ${e.message}`, {
      cause: e,
      hint: 'point ssl-ca at the CA that signed the server certificate',
    });
  }
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code === 'EPROTO') {
    return new TlsError(label, `TLS handshake failed (ssl-mode=${mode}): ${e.message}`, {
      cause: e,
      hint: 'check ssl-cert/ssl-key (a client certificate the server accepts) and the server TLS settings',
    });
  }
  return undefined;
}

/** Maps a connect-time failure to one clear line with what to do. */
export function explainConnectError(
  label: string,
  error: unknown,
  attempt: ConnectAttempt = {},
): ConnectionError | MissingSchemaError {
  const e = error as DriverError;
  const tls = explainTls(label, e, attempt);
  if (tls) return tls;
  switch (e.code) {
    case 'ECONNREFUSED':
      return new ConnectionError(label, 'connection refused: no server is listening there', {
        cause: error,
        hint: 'start the server (`dualpipe db start`) or check host and port in --source/--report',
      });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConnectionError(label, 'unknown host', {
        cause: error,
        hint: 'check the host name in the URL',
      });
    case 'ETIMEDOUT':
      // mysql2 says ETIMEDOUT both when TCP never connects and when a connected server never
      // completes the handshake (a frozen mysqld: the kernel still accepts the connection).
      return new ConnectionError(label, 'no answer within the connect timeout (server frozen or overloaded, or a firewall dropping packets)', {
        cause: error,
        hint: 'check that the server runs and answers (mysqladmin ping), the host, port and firewall; --connect-timeout waits longer',
      });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ConnectionError(label, 'host unreachable', {
        cause: error,
        hint: 'check the host, port and firewall',
      });
    case 'ENOENT':
      return new ConnectionError(label, 'socket file not found', {
        cause: error,
        hint: 'check the socket path, or start the server with `dualpipe db start`',
      });
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
    case 'ER_DBACCESS_DENIED_ERROR':
      return new ConnectionError(
        label,
        `access denied (wrong user or password${attempt.encrypted ? '' : ', or an account that requires TLS'})`,
        {
          cause: error,
          hint:
            'check the user, and the password in DUALPIPE_SOURCE_PASSWORD/DUALPIPE_REPORT_PASSWORD or the option file' +
            (attempt.encrypted ? '' : '; for an account created REQUIRE SSL add ?ssl-mode=required (or --require-tls)'),
        },
      );
    case 'ER_BAD_DB_ERROR':
      return new MissingSchemaError(attempt.database ?? label, { cause: error });
    default:
      return new ConnectionError(label, e.sqlMessage ?? e.message ?? String(error), { cause: error });
  }
}
