/**
 * Which TLS settings a connection gets: the URL's parameters, else the config file's `tls.<role>`,
 * else the fallback (the report inherits the source's; the embedded server's own CA). Then
 * `--require-tls` lifts "no TLS asked for" and `preferred` to `required`, and refuses `disabled`.
 */
import type { TlsSettings } from '../db/connection.js';
import { UsageError } from '../errors.js';
import { type TlsFields, tlsSettingsFrom } from './tls-params.js';

/** Everything that decides one connection's TLS settings, for `resolveTls`. */
export interface TlsChoice {
  /** Settings from the URL's query parameters, when it had any. */
  url?: TlsSettings | undefined;
  /** The config file's `tls.source` / `tls.report`. */
  file?: TlsFields | undefined;
  /** Used when neither the URL nor the file says anything. */
  fallback?: TlsSettings | undefined;
  /** `--require-tls`, DUALPIPE_REQUIRE_TLS or `tls.require`. */
  require: boolean;
  /** Which connection this is: names it in messages and picks `tls.source` or `tls.report`. */
  role: 'source' | 'report';
}

/** The TLS settings of one connection, or undefined for a plaintext one. */
export function resolveTls(choice: TlsChoice): TlsSettings | undefined {
  const settings = choice.url ?? tlsSettingsFrom(choice.file ?? {}, `config file tls.${choice.role}`) ?? choice.fallback;
  if (!choice.require) return settings;
  if (!settings || settings.mode === 'preferred') return { ...settings, mode: 'required' };
  if (settings.mode === 'disabled') {
    throw new UsageError(`${choice.role}: ssl-mode=disabled contradicts --require-tls`, {
      hint: 'remove ssl-mode=disabled (from the URL or tls.' + choice.role + '.mode), or drop --require-tls',
    });
  }
  return settings;
}

const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off', ''];

/** `--require-tls` > DUALPIPE_REQUIRE_TLS > `tls.require` > off. */
export function requireTlsFrom(flag: boolean | undefined, env: string | undefined, file: boolean | undefined): boolean {
  if (flag) return true;
  if (env !== undefined) {
    const v = env.trim().toLowerCase();
    if (TRUE.includes(v)) return true;
    if (FALSE.includes(v)) return false;
    throw new UsageError(`invalid DUALPIPE_REQUIRE_TLS "${env}"`, { hint: 'use 1 or 0' });
  }
  return file === true;
}
