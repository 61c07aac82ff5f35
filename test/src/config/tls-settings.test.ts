import { describe, expect, it } from 'vitest';
import { parseConfigFile } from '../../../src/config/config-file.js';
import { parseMysqlUrl } from '../../../src/config/parse-url.js';
import { resolveConfig } from '../../../src/config/resolve-config.js';
import { requireTlsFrom, resolveTls } from '../../../src/config/resolve-tls.js';
import { canonicalParam, parseSslMode, tlsSettingsFrom } from '../../../src/config/tls-params.js';
import { ConfigError, UsageError } from '../../../src/errors.js';

const none = () => undefined;

describe('TLS URL parameters', () => {
  it('accepts MySQL, libpq and underscore spellings of names and modes', () => {
    expect(['ssl-mode', 'sslmode', 'ssl_mode', 'SSL-MODE', 'sslca', 'ssl_key'].map(canonicalParam)).toEqual([
      'ssl-mode', 'ssl-mode', 'ssl-mode', 'ssl-mode', 'ssl-ca', 'ssl-key',
    ]);
    expect(['VERIFY_CA', 'verify-identity', 'Required', 'require', 'verify-full', 'disable'].map((m) => parseSslMode(m, 'x'))).toEqual([
      'verify-ca', 'verify-identity', 'required', 'required', 'verify-identity', 'disabled',
    ]);
    expect(parseMysqlUrl('mysql://u@h/crm?sslmode=VERIFY_IDENTITY&ssl_ca=/ca.pem', 'x').ssl).toEqual({ mode: 'verify-identity', ca: '/ca.pem' });
  });

  it('defaults the mode like the mysql client: a CA means verify-ca, a client certificate alone preferred', () => {
    expect(tlsSettingsFrom({ ca: '/ca.pem' }, 'x')).toEqual({ mode: 'verify-ca', ca: '/ca.pem' });
    expect(tlsSettingsFrom({ cert: '/c.pem', key: '/k.pem' }, 'x')).toEqual({ mode: 'preferred', cert: '/c.pem', key: '/k.pem' });
    expect(tlsSettingsFrom({}, 'x')).toBeUndefined();
    expect(parseMysqlUrl('mysql://u@h/crm', 'x').ssl).toBeUndefined();
  });

  it.each([
    ['mysql://u@h/db?ssl-mode=sometimes', /invalid ssl-mode "sometimes"/],
    ['mysql://u@h/db?ssl-cert=/c.pem', /ssl-cert and ssl-key go together/],
    ['mysql://u@h/db?ssl-cipher=x', /unknown URL parameter "ssl-cipher"/],
  ])('refuses %s', (url, pattern) => {
    expect(() => parseMysqlUrl(url, 'source URL')).toThrow(pattern);
    expect(() => parseMysqlUrl(url, 'source URL')).toThrow(UsageError);
  });
});

describe('resolveTls', () => {
  it('takes the URL, else the config file, else the fallback', () => {
    const url = { mode: 'required' as const };
    const fallback = { mode: 'verify-ca' as const, ca: '/f.pem' };
    expect(resolveTls({ url, file: { mode: 'disabled' }, fallback, require: false, role: 'source' })).toBe(url);
    expect(resolveTls({ file: { ca: '/c.pem' }, fallback, require: false, role: 'source' })).toEqual({ mode: 'verify-ca', ca: '/c.pem' });
    expect(resolveTls({ fallback, require: false, role: 'report' })).toBe(fallback);
    expect(resolveTls({ require: false, role: 'report' })).toBeUndefined();
  });

  it('under --require-tls lifts nothing and preferred to required, keeps verify modes, refuses disabled', () => {
    expect(resolveTls({ require: true, role: 'source' })).toEqual({ mode: 'required' });
    expect(resolveTls({ url: { mode: 'preferred', cert: '/c', key: '/k' }, require: true, role: 'source' })).toEqual({ mode: 'required', cert: '/c', key: '/k' });
    expect(resolveTls({ url: { mode: 'verify-identity' }, require: true, role: 'source' })).toEqual({ mode: 'verify-identity' });
    expect(() => resolveTls({ url: { mode: 'disabled' }, require: true, role: 'report' })).toThrow(/report: ssl-mode=disabled contradicts --require-tls/);
  });

  it('reads --require-tls over DUALPIPE_REQUIRE_TLS over tls.require', () => {
    expect(requireTlsFrom(true, '0', false)).toBe(true);
    expect(requireTlsFrom(undefined, '0', true)).toBe(false);
    expect(requireTlsFrom(undefined, 'yes', false)).toBe(true);
    expect(requireTlsFrom(undefined, undefined, true)).toBe(true);
    expect(requireTlsFrom(undefined, undefined, undefined)).toBe(false);
    expect(() => requireTlsFrom(undefined, 'maybe', undefined)).toThrow(/invalid DUALPIPE_REQUIRE_TLS/);
  });
});

describe('TLS in the resolved config', () => {
  it('gives the report the source settings unless its URL or tls.report says otherwise', () => {
    const same = resolveConfig({ flags: { source: 'mysql://u@h/crm?ssl-mode=verify-ca&ssl-ca=/ca.pem' }, env: {}, file: {}, embedded: none });
    expect(same.report.ssl).toEqual({ mode: 'verify-ca', ca: '/ca.pem' });
    expect(same.requireTls).toBe(false);
    const other = resolveConfig({
      flags: { source: 'mysql://u@h/crm', report: 'mysql://u@h2/rep' },
      env: {},
      file: { tls: { source: { mode: 'verify-identity', ca: '/a.pem' }, report: { mode: 'REQUIRED' } } },
      embedded: none,
    });
    expect(other.source.ssl).toEqual({ mode: 'verify-identity', ca: '/a.pem' });
    expect(other.report.ssl).toEqual({ mode: 'required' });
  });

  it('applies --require-tls to both connections, also to the embedded server', () => {
    const cfg = resolveConfig({
      flags: { requireTls: true },
      env: {},
      file: {},
      embedded: () => ({ host: '127.0.0.1', port: 3307, user: 'root' }),
    });
    expect(cfg.requireTls).toBe(true);
    expect(cfg.source.ssl).toEqual({ mode: 'required' });
    expect(cfg.report.ssl).toEqual({ mode: 'required' });
    const fromFile = resolveConfig({ flags: { source: 'mysql://u@h/crm' }, env: {}, file: { tls: { require: true } }, embedded: none });
    expect(fromFile.source.ssl).toEqual({ mode: 'required' });
  });

  it('refuses unknown keys and bad modes in the config file tls object', () => {
    expect(parseConfigFile({ tls: { require: true, source: { mode: 'verify_ca', ca: '/ca.pem' } } }, 'c.json').tls?.source?.mode).toBe('verify_ca');
    expect(() => parseConfigFile({ tls: { source: { mode: 'often' } } }, 'c.json')).toThrow(/tls\.source\.mode: use one of disabled/);
    expect(() => parseConfigFile({ tls: { source: { capath: '/x' } } }, 'c.json')).toThrow(/unknown key tls\.source\.capath/);
    expect(() => parseConfigFile({ tls: { require: 'yes' } }, 'c.json')).toThrow(ConfigError);
  });
});
