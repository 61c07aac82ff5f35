/**
 * Property tests of the `mysql://` URL parser: any text either parses or is one UsageError line
 * naming what is wrong; never a crash, a stack or an echoed password.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatError } from '../../../cli/format-error.js';
import { parseMysqlUrl } from '../../../src/config/parse-url.js';
import { UsageError } from '../../../src/errors.js';

/** Characters that mean something in a URL, and some that are merely unusual. */
const urlChar = fc.constantFrom('@', ':', '/', '?', '#', '%', '&', '=', '+', ' ', "'", '"', '\\', '`', '$', '!', '*', '[', ']', ';', ',', '~', 'é', 'ß', '😀', '\t', 'a', 'Z', '9', '.', '-', '_');
const secretText = fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 }), fc.string({ unit: urlChar, minLength: 1, maxLength: 24 }));
const schemaName = fc.stringMatching(/^[A-Za-z0-9_$]{1,64}$/);
const hostName = fc.oneof(fc.domain(), fc.ipV4());

function urlOutcome(text: string): { ok: true } | { ok: false; error: unknown } {
  try {
    parseMysqlUrl(text, 'source URL');
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

function expectUsageLine(error: unknown): UsageError {
  expect(error).toBeInstanceOf(UsageError);
  const e = error as UsageError;
  expect(e.message.startsWith('source URL: ')).toBe(true);
  expect(formatError(e, false).split('\n')).toHaveLength(1);
  return e;
}

describe('URL parser (properties)', () => {
  it('any text either parses to a target or is one UsageError line', () => {
    const text = fc.oneof(
      fc.string(),
      fc.webUrl({ withQueryParameters: true, withFragments: true }).map((u) => u.replace(/^https?:/, 'mysql:')),
      fc.webUrl(),
      fc
        .tuple(fc.string({ unit: urlChar, maxLength: 10 }), fc.string({ unit: urlChar, maxLength: 10 }), fc.string({ unit: urlChar, maxLength: 10 }), fc.string({ unit: urlChar, maxLength: 10 }))
        .map(([u, p, h, rest]) => `mysql://${u}:${p}@${h}/${rest}`),
      fc
        .tuple(fc.constantFrom('socket', 'ssl-mode', 'ssl-ca', 'port', 'user'), fc.string({ unit: urlChar, maxLength: 12 }))
        .map(([k, v]) => `mysql://u@h:3306/crm?${k}=${v}`),
    );
    fc.assert(
      fc.property(text, (t) => {
        const r = urlOutcome(t);
        if (!r.ok) expectUsageLine(r.error);
      }),
      { numRuns: 2000 },
    );
  });

  it('user and password with any characters, percent-encoded, come back exactly', () => {
    fc.assert(
      fc.property(secretText, secretText, hostName, fc.integer({ min: 1, max: 65535 }), schemaName, (user, password, host, port, db) => {
        const url = `mysql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/${db}`;
        expect(parseMysqlUrl(url, 'source URL')).toEqual({ user, password, host, port, database: db });
      }),
      { numRuns: 1000 },
    );
  });

  it('a password written without percent-encoding is parsed or refused, never a raw URIError', () => {
    // 50%off is how a DBA writes a password by hand: it used to escape as "URIError: URI malformed" (exit 1).
    for (const url of ['mysql://u:50%off@h/crm', 'mysql://u%zz@h/crm', 'mysql://u@h/%zz']) {
      const r = urlOutcome(url);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(expectUsageLine(r.error).message).toMatch(/invalid percent-encoding in the URL's (password|user name|schema name)$/);
    }
    expect(String((urlOutcome('mysql://u:50%off@h/crm') as { error: Error }).error.message)).not.toContain('50%off');
  });

  it('never echoes the password in an error, however the URL is wrong', () => {
    const breakage = fc.constantFrom(
      (pw: string) => `mysql://u:${pw}@h:99999/crm`,
      (pw: string) => `mysql://u:${pw}@h:0/crm`,
      (pw: string) => `postgres://u:${pw}@h/crm`,
      (pw: string) => `mysql://u:${pw}@h/crm/extra`,
      (pw: string) => `mysql://u:${pw}@h/crm?colour=blue`,
      (pw: string) => `mysql://u:${pw}@h/crm?ssl-mode=maybe`,
      (pw: string) => `mysql://u:${pw}@/crm`,
      (pw: string) => `mysql://u:${pw}@h/%zz`,
      (pw: string) => `mysql://u:${pw}@h crm`,
    );
    const distinctive = secretText.map((s) => `Zq8${s}Vw`);
    fc.assert(
      fc.property(distinctive, breakage, fc.boolean(), (pw, make, encode) => {
        const r = urlOutcome(make(encode ? encodeURIComponent(pw) : pw));
        if (r.ok) return; // a raw password can make some of these URLs well-formed; nothing to echo then
        const e = r.error as UsageError;
        if (encode) expectUsageLine(e);
        else expect(e).toBeInstanceOf(UsageError);
        for (const text of [e.message, e.hint ?? '', formatError(e, true)]) {
          expect(text).not.toContain(pw);
          expect(text).not.toContain(encodeURIComponent(pw));
        }
      }),
      { numRuns: 1000 },
    );
  });
});
