/**
 * Property tests of the config file parser (zod schema): any input either parses or is one
 * ConfigError line naming what is wrong; never a crash, a stack or a polluted prototype.
 * (The URL parser's properties are in parse-url.property.test.ts.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type ConfigFile, loadConfigFile, parseConfigFile } from '../../../src/config/config-file.js';
import { formatError } from '../../../cli/format-error.js';
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
        metricsListen: fc.constantFrom('127.0.0.1:9464', 'localhost:1', '[::1]:9464'),
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
  schedule: ['sync', 'incremental', 'verify', 'backup', 'timezone', 'onBusy', 'metricsListen'],
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
