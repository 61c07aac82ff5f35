import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfigFile } from '../../../src/config/config-file.js';
import { resolveConfig } from '../../../src/config/resolve-config.js';
import { ConfigError, UsageError } from '../../../src/errors.js';

const none = () => undefined;

describe('resolveConfig', () => {
  it('takes flags over env over file, and derives the report schema', () => {
    const cfg = resolveConfig({
      flags: { source: 'mysql://flag@h1:3306/crm' },
      env: { DUALPIPE_SOURCE_URL: 'mysql://env@h2/other', DUALPIPE_SOURCE_PASSWORD: 'pw' },
      file: { source: 'mysql://file@h3/x', sync: { threads: 4 } },
      embedded: none,
    });
    expect(cfg.source).toMatchObject({ user: 'flag', host: 'h1', database: 'crm', password: 'pw' });
    expect(cfg.report).toMatchObject({ user: 'flag', host: 'h1', database: 'crm_report', password: 'pw' });
    expect(cfg.sameServer).toBe(true);
    expect(cfg.sync.threads).toBe(4);
    expect(cfg.sync.strategy).toBe('swap');
  });

  it('uses the env when no flag is given, and a separate report server', () => {
    const cfg = resolveConfig({
      flags: {},
      env: {
        DUALPIPE_SOURCE_URL: 'mysql://a@h1/crm',
        DUALPIPE_REPORT_URL: 'mysql://b@h2/rep',
        DUALPIPE_REPORT_PASSWORD: 'rp',
      },
      file: {},
      embedded: none,
    });
    expect(cfg.report).toMatchObject({ user: 'b', host: 'h2', database: 'rep', password: 'rp' });
    expect(cfg.sameServer).toBe(false);
  });

  it('falls back to the embedded server, and says what to do when it is not running', () => {
    const cfg = resolveConfig({
      flags: {},
      env: {},
      file: {},
      embedded: () => ({ host: '127.0.0.1', port: 4000, user: 'root' }),
    });
    expect(cfg.embedded).toBe(true);
    expect(cfg.source).toMatchObject({ port: 4000, database: 'crm' });
    try {
      resolveConfig({ flags: {}, env: {}, file: {}, embedded: none });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).hint).toMatch(/dualpipe db start/);
    }
  });

  it('refuses a report schema equal to the source schema on one server', () => {
    expect(() =>
      resolveConfig({
        flags: { source: 'mysql://a@h/crm', report: 'mysql://a@h/crm' },
        env: {},
        file: {},
        embedded: none,
      }),
    ).toThrow(ConfigError);
  });

  it('reads the password from an option file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dp-'));
    const file = join(dir, 'my.cnf');
    writeFileSync(file, '[mysqld]\npassword=nope\n[client]\nuser = x\npassword = "from-file"\n');
    const cfg = resolveConfig({
      flags: { source: 'mysql://a@h/crm' },
      env: { DUALPIPE_OPTION_FILE: file },
      file: {},
      embedded: none,
    });
    expect(cfg.source.password).toBe('from-file');
  });

  it('refuses invalid log levels and schema names', () => {
    expect(() =>
      resolveConfig({
        flags: { source: 'mysql://a@h/crm', logLevel: 'loud' },
        env: {},
        file: {},
        embedded: none,
      }),
    ).toThrow(UsageError);
    expect(() =>
      resolveConfig({ flags: { source: 'mysql://a@h/cr%60m' }, env: {}, file: {}, embedded: none }),
    ).toThrow(/invalid source schema name/);
  });
});

describe('config file', () => {
  it('names an unknown key', () => {
    expect(() => parseConfigFile({ sync: { treads: 2 } }, 'dualpipe.config.json')).toThrow(
      /unknown key sync\.treads/,
    );
    expect(() => parseConfigFile({ colour: 'x' }, 'f.json')).toThrow(/unknown key colour/);
  });

  it('names a bad value with its field', () => {
    try {
      parseConfigFile({ sync: { threads: 0 } }, 'f.json');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).field).toBe('sync.threads');
      expect((error as Error).message).toMatch(/sync\.threads/);
    }
    expect(() => parseConfigFile({ sync: { strategy: 'yolo' } }, 'f.json')).toThrow(/sync\.strategy/);
  });

  it('treats a missing default file as empty and a missing explicit file as an error', () => {
    expect(loadConfigFile('/nonexistent/dualpipe.config.json', false)).toEqual({});
    expect(() => loadConfigFile('/nonexistent/x.json', true)).toThrow(/does not exist/);
    const dir = mkdtempSync(join(tmpdir(), 'dp-'));
    writeFileSync(join(dir, 'bad.json'), '{ nope');
    expect(() => loadConfigFile(join(dir, 'bad.json'), true)).toThrow(/not valid JSON/);
  });
});
