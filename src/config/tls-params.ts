/**
 * The TLS part of a URL or config entry: `ssl-mode`, `ssl-ca`, `ssl-cert`, `ssl-key`, spelled as
 * MySQL's client spells them; `sslmode`, `ssl_mode` and upper-case values (`VERIFY_CA`) work too.
 */
import type { SslMode, TlsSettings } from '../db/connection.js';
import { UsageError } from '../errors.js';

/** The `ssl-mode` values as MySQL's client spells them, weakest first. */
export const SSL_MODES: readonly SslMode[] = ['disabled', 'preferred', 'required', 'verify-ca', 'verify-identity'];

/** Other spellings people bring from other clients (libpq, JDBC). */
const MODE_ALIASES: Readonly<Record<string, SslMode>> = {
  disable: 'disabled',
  prefer: 'preferred',
  require: 'required',
  'verify-full': 'verify-identity',
};

/** `ssl-mode` → `ssl-mode`; `sslmode`, `ssl_mode`, `SSL-MODE` → `ssl-mode`; anything else unchanged. */
export function canonicalParam(key: string): string {
  const k = key.toLowerCase().replaceAll('_', '-');
  const m = /^ssl-?(mode|ca|cert|key)$/.exec(k);
  return m ? `ssl-${m[1]}` : k;
}

/** The mode a spelling stands for, or undefined. */
export function sslModeOf(text: string): SslMode | undefined {
  const v = text.trim().toLowerCase().replaceAll('_', '-');
  return MODE_ALIASES[v] ?? SSL_MODES.find((m) => m === v);
}

/** Parses an ssl-mode value in any of the accepted spellings. */
export function parseSslMode(text: string, what: string): SslMode {
  const mode = sslModeOf(text);
  if (!mode) {
    throw new UsageError(`${what}: invalid ssl-mode "${text}"`, { hint: `use one of ${SSL_MODES.join(', ')}` });
  }
  return mode;
}

/** The raw TLS fields of a URL or config entry, before defaults. */
export interface TlsFields {
  mode?: string | undefined;
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
}

/**
 * TLS settings from the given fields, or undefined when none is set. As in MySQL's client, a CA
 * without a mode means `verify-ca`, and anything else without a mode means `preferred`.
 */
export function tlsSettingsFrom(fields: TlsFields, what: string): TlsSettings | undefined {
  const { mode, ca, cert, key } = fields;
  if (!mode && !ca && !cert && !key) return undefined;
  if (Boolean(cert) !== Boolean(key)) {
    throw new UsageError(`${what}: ssl-cert and ssl-key go together (a client certificate needs its key)`, {
      hint: 'give both, or neither',
    });
  }
  const settings: TlsSettings = { mode: mode ? parseSslMode(mode, what) : ca ? 'verify-ca' : 'preferred' };
  if (ca) settings.ca = ca;
  if (cert) settings.cert = cert;
  if (key) settings.key = key;
  return settings;
}

/** TLS settings from a URL's query parameters (already checked to be known ones). */
export function tlsSettingsFromParams(params: URLSearchParams, what: string): TlsSettings | undefined {
  const get = (name: string): string | undefined => {
    let value: string | undefined;
    for (const [k, v] of params) if (canonicalParam(k) === name && v) value = v;
    return value;
  };
  return tlsSettingsFrom({ mode: get('ssl-mode'), ca: get('ssl-ca'), cert: get('ssl-cert'), key: get('ssl-key') }, what);
}
