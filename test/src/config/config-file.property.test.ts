/**
 * Property tests of the two parsers that read what a user typed: the config file (zod schema) and
 * `mysql://` URLs. Any input either parses or is one UsageError/ConfigError line naming what is
 * wrong; never a crash, a stack, a polluted prototype or an echoed password.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type ConfigFile, loadConfigFile, parseConfigFile } from '../../../src/config/config-file.js';
import { parseMysqlUrl } from '../../../src/config/parse-url.js';
import { formatError } from '../../../src/cli/format-error.js';
import { ConfigError, UsageError } from '../../../src/errors.js';

const PATH = '/etc/dualpipe/config.json';

const nonEmpty = fc.string({ minLength: 1, maxLength: 40 });
const tableName = fc.string({ minLength: 1, maxLength: 64 });
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Any config file the schema accepts (every key optional, every value at the edges of its range). */
const validConfig: fc.Arbitrary<ConfigFile> = fc.record(
  {
    source: nonEmpty,
    report: nonEmpty,
    optionFile: nonEmpty,
    logLevel: fc.constantFrom(...LOG_LEVELS),
    sync: fc.record(
      {
        strategy: fc.constantFrom('swap' as const, 'lock' as const),
        threads: fc.integer({ min: 1, max: 64 }),
        chunkRows: fc.integer({ min: 100, max: 10_000_000 }),
        include: fc.array(tableName, { maxLength: 5 }),
        exclude: fc.array(tableName, { maxLength: 5 }),
        swapWaitMs: fc.integer({ min: 0, max: 600_000 }),
      },
      { requiredKeys: [] },
    ),
    backup: fc.record(
      {
        to: nonEmpty,
        copyTo: fc.array(nonEmpty, { maxLength: 3 }),
        keepLast: fc.integer({ min: 1, max: 10_000 }),
        keepDays: fc.integer({ min: 0, max: 100_000 }),
        compress: fc.constantFrom('gzip' as const, 'none' as const),
        threads: fc.integer({ min: 1, max: 64 }),
        encryptKeyFile: nonEmpty,
      },
      { requiredKeys: [] },
    ),
    schedule: fc.record(
      {
        sync: nonEmpty,
        incremental: nonEmpty,
        verify: nonEmpty,
        backup: nonEmpty,
        timezone: nonEmpty,
        onBusy: fc.constantFrom('skip' as const, 'wait' as const),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

const TOP = ['source', 'report', 'optionFile', 'logLevel', 'sync', 'backup', 'schedule'];
const NESTED: Record<string, string[]> = {
  sync: ['strategy', 'threads', 'chunkRows', 'include', 'exclude', 'swapWaitMs'],
  backup: ['to', 'copyTo', 'keepLast', 'keepDays', 'compress', 'threads', 'encryptKeyFile'],
  schedule: ['sync', 'incremental', 'verify', 'backup', 'timezone', 'onBusy'],
};
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'];

/** Values near the schema's edges as well as anything JSON can hold. */
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(0, -1, 1, 64, 65, 99, 100, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, '', 'swap', 'gzip', 'info', null, [], {}),
);

/** Objects using the schema's own keys (and some others), with any values: the interesting near misses. */
const nearConfig = fc.dictionary(
  fc.oneof(fc.constantFrom(...TOP), fc.constantFrom(...PROTO_KEYS), fc.string({ maxLength: 8 })),
  fc.oneof(
    anyValue,
    fc.dictionary(
      fc.oneof(fc.constantFrom(...Object.values(NESTED).flat()), fc.constantFrom(...PROTO_KEYS), fc.string({ maxLength: 8 })),
      anyValue,
      { maxKeys: 4 },
    ),
  ),
  { maxKeys: 5 },
);

/** A JSON text round trip, as the file is read: `__proto__` becomes an own key, as JSON.parse makes it. */
const viaJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v)) as unknown;

/** The contract for anything refused: one ConfigError (exit 2), naming its field, one line on the terminal. */
function expectOneClearLine(error: unknown): ConfigError {
  expect(error).toBeInstanceOf(ConfigError);
  expect(error).toBeInstanceOf(UsageError);
  const e = error as ConfigError;
  expect(e.message.startsWith(`config file ${PATH}: `)).toBe(true);
  expect(e.field).toBeTruthy();
  expect(e.message).toContain(e.field!);
  const line = formatError(e, false);
  expect(line.split('\n')).toHaveLength(1);
  expect(line).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
  return e;
}

function outcome(value: unknown): { ok: true; config: ConfigFile } | { ok: false; error: unknown } {
  try {
    return { ok: true, config: parseConfigFile(value, PATH) };
  } catch (error) {
    return { ok: false, error };
  }
}

function expectNoPollution(): void {
  const probe = {} as Record<string, unknown>;
  for (const k of [...TOP, 'strategy', 'threads', 'x', 'polluted']) expect(probe[k]).toBeUndefined();
  expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
}

describe('config file parser (properties)', () => {
  it('any valid config round-trips exactly through its JSON text', () => {
    fc.assert(
      fc.property(validConfig, (config) => {
        expect(parseConfigFile(viaJson(config), PATH)).toEqual(config);
      }),
      { numRuns: 500 },
    );
  });

  it('any JSON value either parses or is one ConfigError line naming the field', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), nearConfig), (raw) => {
        const value = viaJson(raw);
        const r = outcome(value);
        if (r.ok) expect(r.config).toEqual(value);
        else expectOneClearLine(r.error);
        expectNoPollution();
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses an unknown key by its name, at the top level and in each section', () => {
    const section = fc.constantFrom(null, 'sync', 'backup', 'schedule');
    const unknownKey = fc
      .oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.constantFrom(...PROTO_KEYS, 'Source', 'thread', 'keep_last', 'log-level'))
      .filter((k) => !TOP.includes(k) && !Object.values(NESTED).flat().includes(k));
    fc.assert(
      fc.property(validConfig, section, unknownKey, anyValue, (config, where, key, value) => {
        const json = viaJson(config) as Record<string, Record<string, unknown>>;
        // Built with defineProperty so that `__proto__` is an own key, exactly as JSON.parse makes it.
        const target = where === null ? json : (json[where] ??= {});
        Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
        const r = outcome(json);
        expect(r.ok).toBe(false);
        if (r.ok) return;
        const e = expectOneClearLine(r.error);
        const shown = /^[\w$-]+$/.test(key) ? key : JSON.stringify(key);
        const name = where === null ? shown : `${where}.${shown}`;
        expect(e.message).toContain(`unknown key ${name}`);
        expect(e.field).toBe(name);
        expectNoPollution();
      }),
      { numRuns: 500 },
    );
  });

  it('handles prototype-pollution keys in the file text safely', () => {
    for (const text of [
      '{"__proto__": {"source": "mysql://evil@x/crm", "polluted": true}}',
      '{"constructor": {"prototype": {"polluted": true}}}',
      '{"sync": {"__proto__": {"threads": 64, "polluted": true}}}',
      '{"schedule": {"constructor": {"prototype": {"polluted": true}}}}',
      '{"backup": {"toString": "x"}}',
      '{"source": "mysql://u@h/crm", "__proto__": null}',
    ]) {
      const r = outcome(JSON.parse(text));
      expect(r.ok, text).toBe(false);
      if (r.ok) continue;
      expect(expectOneClearLine(r.error).message).toMatch(/unknown key (sync\.|schedule\.|backup\.)?(__proto__|constructor|toString)/);
      expectNoPollution();
    }
    // A valid config's result is a plain object whose prototype nobody chose.
    const good = parseConfigFile(JSON.parse('{"sync": {"threads": 3}}'), PATH);
    expect(Object.getPrototypeOf(good)).toBe(Object.prototype);
    expect(Object.keys(good)).toEqual(['sync']);
  });

  it('names an empty or unprintable key visibly', () => {
    for (const [text, shown] of [['{"": 1}', '""'], ['{"sync": {"a\\nb": 1}}', 'sync."a\\nb"'], ['{"a b": 1}', '"a b"']] as const) {
      const r = outcome(JSON.parse(text));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(expectOneClearLine(r.error).message).toBe(`config file ${PATH}: unknown key ${shown}`);
    }
  });

  describe('reading the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dualpipe-config-prop-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    let n = 0;

    it('any file text either loads or is one ConfigError line (invalid JSON included)', () => {
      const text = fc.oneof(
        fc.string({ maxLength: 60 }),
        fc.json(),
        nearConfig.map((v) => JSON.stringify(v)),
        validConfig.map((v) => JSON.stringify(v, null, 2)),
        validConfig.map((v) => JSON.stringify(v).slice(0, -1)),
      );
      fc.assert(
        fc.property(text, (body) => {
          const file = join(dir, `c${n++}.json`);
          writeFileSync(file, body);
          try {
            loadConfigFile(file, true);
          } catch (error) {
            expect(error).toBeInstanceOf(ConfigError);
            expect(formatError(error, false).split('\n')).toHaveLength(1);
            expect((error as Error).message).toContain(`config file ${file}`);
          } finally {
            rmSync(file);
          }
          expectNoPollution();
        }),
        { numRuns: 300 },
      );
    });
  });
});

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
