import { describe, expect, it } from 'vitest';
import type { OptionFileIo } from '../../../src/config/option-files.js';
import { type ConfigInputs, resolveConfig } from '../../../src/config/resolve-config.js';
import { UsageError } from '../../../src/errors.js';

const HOME = '/home/dba';
const MYCNF = `${HOME}/.my.cnf`;

function io(files: Record<string, string>): OptionFileIo {
  return { readFile: (p) => files[p], mode: (p) => (p in files ? 0o600 : undefined), listDir: () => undefined };
}

function resolve(over: Partial<ConfigInputs> & { files?: Record<string, string> } = {}) {
  return resolveConfig({
    flags: over.flags ?? {},
    env: { HOME, ...over.env },
    file: over.file ?? {},
    embedded: over.embedded ?? (() => undefined),
    optionFileIo: io(over.files ?? {}),
  });
}

const cnf = '[client]\nuser=cnf-user\npassword=cnf-pw\nhost=cnf-host\nport=3310\n';

describe('connection precedence: flags > URL > env > option files > config > defaults', () => {
  it('connects with only ~/.my.cnf', () => {
    const cfg = resolve({ files: { [MYCNF]: cnf } });
    expect(cfg.source).toMatchObject({ host: 'cnf-host', port: 3310, user: 'cnf-user', password: 'cnf-pw', database: 'crm' });
    expect(cfg.report).toMatchObject({ host: 'cnf-host', port: 3310, user: 'cnf-user', password: 'cnf-pw', database: 'crm_report' });
    expect(cfg.embedded).toBe(false);
  });

  it('env beats option files, URL beats env, flags beat the URL', () => {
    const files = { [MYCNF]: cnf };
    expect(resolve({ files, env: { MYSQL_PWD: 'env-pw' } }).source.password).toBe('env-pw');
    expect(resolve({ files, env: { MYSQL_PWD: 'env-pw', DUALPIPE_SOURCE_PASSWORD: 'dp-pw' } }).source.password).toBe('dp-pw');
    const url = resolve({ files, env: { MYSQL_PWD: 'env-pw' }, flags: { source: 'mysql://url-user:url-pw@url-host/app' } });
    expect(url.source).toMatchObject({ host: 'url-host', port: 3310, user: 'url-user', password: 'url-pw', database: 'app' });
    const flags = resolve({
      files,
      flags: { source: 'mysql://url-user:url-pw@url-host:1/app', host: 'flag-host', port: 2, user: 'flag-user', password: 'flag-pw' },
    });
    expect(flags.source).toMatchObject({ host: 'flag-host', port: 2, user: 'flag-user', password: 'flag-pw', database: 'app' });
  });

  it('defaults to user root and port 3306', () => {
    expect(resolve({ flags: { host: 'h' } }).source).toMatchObject({ host: 'h', port: 3306, user: 'root' });
  });

  it('a socket is used when the deciding layer gives no host (or localhost); an option-file socket never redirects a URL host', () => {
    const files = { [MYCNF]: '[client]\nsocket=/run/cnf.sock\n' };
    expect(resolve({ files }).source.socketPath).toBe('/run/cnf.sock');
    const viaUrl = resolve({ files, flags: { source: 'mysql://u@db1/crm' } }).source;
    expect(viaUrl).toMatchObject({ host: 'db1', port: 3306 });
    expect(viaUrl.socketPath).toBeUndefined();
    expect(resolve({ flags: { socket: '/flag.sock', source: 'mysql://u@db1/crm' } }).source.socketPath).toBe('/flag.sock');
    expect(resolve({ files: { [MYCNF]: '[client]\nhost=localhost\nsocket=/s\n' } }).source.socketPath).toBe('/s');
    expect(resolve({ files: { [MYCNF]: '[client]\nhost=127.0.0.1\nsocket=/s\n' } }).source).toMatchObject({ host: '127.0.0.1' });
  });

  it('reads [dualpipe] after [client] in file order, and [dualpipe_report] only for the report', () => {
    const files = { [MYCNF]: '[client]\nuser=c\nhost=h\n[dualpipe]\nuser=d\n[dualpipe_report]\nuser=analyst\npassword=apw\n' };
    const cfg = resolve({ files });
    expect(cfg.source.user).toBe('d');
    expect(cfg.report).toMatchObject({ host: 'h', user: 'analyst', password: 'apw' });
  });

  it('gives the report its own server from --report-* flags or [dualpipe_report], with option-file credentials', () => {
    const files = { [MYCNF]: '[client]\nuser=c\npassword=cpw\nhost=src\n[dualpipe_report]\nhost=rep\nport=4000\n' };
    const cfg = resolve({ files });
    expect(cfg.report).toMatchObject({ host: 'rep', port: 4000, user: 'c', password: 'cpw' });
    expect(cfg.sameServer).toBe(false);
    const flagged = resolve({ files, flags: { reportHost: 'r2', reportUser: 'ru', reportPassword: 'rpw', reportPort: 5 } });
    expect(flagged.report).toMatchObject({ host: 'r2', port: 5, user: 'ru', password: 'rpw' });
    expect(resolve({ files, flags: { reportSocket: '/r.sock' } }).report.socketPath).toBe('/r.sock');
  });

  it('uses ssl-* from option files over the config file, and skip-ssl', () => {
    const files = { [MYCNF]: '[client]\nhost=h\nssl-ca=/ca.pem\n' };
    expect(resolve({ files, file: { tls: { source: { mode: 'required' } } } }).source.ssl).toEqual({ mode: 'verify-ca', ca: '/ca.pem' });
    expect(resolve({ files: { [MYCNF]: '[client]\nhost=h\nssl_mode=REQUIRED\n' } }).source.ssl).toEqual({ mode: 'required' });
    expect(resolve({ files: { [MYCNF]: '[client]\nhost=h\nskip-ssl\n' } }).source.ssl).toEqual({ mode: 'disabled' });
  });

  it('--no-defaults ignores ~/.my.cnf; --defaults-file reads only that file; DUALPIPE_OPTION_FILE is an extra file', () => {
    const files = { [MYCNF]: cnf, '/only.cnf': '[client]\nhost=only\n', '/etc/my.cnf': '[client]\nuser=sys\n' };
    expect(() => resolve({ files, flags: { noDefaults: true } })).toThrow(UsageError);
    const only = resolve({ files, flags: { defaultsFile: '/only.cnf' } }).source;
    expect(only).toMatchObject({ host: 'only', user: 'root' });
    const extra = resolve({ files: { ...files, '/x.cnf': '[client]\nhost=extra\nport=9\n' }, env: { DUALPIPE_OPTION_FILE: '/x.cnf' } }).source;
    expect(extra).toMatchObject({ host: 'cnf-host', port: 3310, user: 'cnf-user' });
  });

  it('does not read ~/.my.cnf without HOME, and falls back to the embedded server untouched by option files', () => {
    const cfg = resolveConfig({
      flags: {},
      env: {},
      file: {},
      embedded: () => ({ host: '127.0.0.1', port: 4000, user: 'root' }),
      optionFileIo: io({ [MYCNF]: cnf, '/etc/my.cnf': '[client]\npassword=sys\n' }),
    });
    expect(cfg.embedded).toBe(true);
    expect(cfg.source).toMatchObject({ host: '127.0.0.1', port: 4000, user: 'root' });
    expect(cfg.source.password).toBeUndefined();
  });

  it('warns about MYSQL_PWD only when it is used, never showing it', () => {
    const used = resolve({ flags: { host: 'h' }, env: { MYSQL_PWD: 'hunter2' } });
    expect(used.source.password).toBe('hunter2');
    expect(used.warnings).toEqual([expect.stringMatching(/MYSQL_PWD.*deprecate/)]);
    expect(resolve({ flags: { host: 'h', password: 'x' }, env: { MYSQL_PWD: 'hunter2' } }).warnings).toEqual([]);
    expect(JSON.stringify(used.warnings)).not.toContain('hunter2');
  });

  it('names a bad option-file port without the rest of the file', () => {
    expect(() => resolve({ files: { [MYCNF]: '[client]\nhost=h\nport=33o6\npassword=s3cret\n' } })).toThrow(/invalid port "33o6"/);
  });

  it('-D / URL path / [client] database= name the source schema; only --report-database, the report URL or [dualpipe_report] name the report schema', () => {
    const files = { [MYCNF]: '[client]\nhost=h\ndatabase=shop\n' };
    expect(resolve({ files }).source.database).toBe('shop');
    expect(resolve({ files }).report.database).toBe('shop_report');
    expect(resolve({ files, flags: { source: 'mysql://u@h2/app' } }).source.database).toBe('app');
    expect(resolve({ files, flags: { source: 'mysql://u@h2/app', database: 'flagged' } }).source.database).toBe('flagged');
    expect(resolve({ files, flags: { reportDatabase: 'bi' } }).report.database).toBe('bi');
    const group = { [MYCNF]: '[client]\nhost=h\n[dualpipe_report]\ndatabase=analytics\n' };
    expect(resolve({ files: group }).report.database).toBe('analytics');
    expect(() => resolve({ flags: { database: 'crm', host: 'h', reportDatabase: 'crm' } })).toThrow(/report schema must differ/);
  });

  it('MYSQL_HOST, MYSQL_TCP_PORT and MYSQL_UNIX_PORT rank below option files and flags, as in MySQL 9.7 client', () => {
    const env = { MYSQL_HOST: 'env-host', MYSQL_TCP_PORT: '3399' };
    expect(resolve({ env }).source).toMatchObject({ host: 'env-host', port: 3399 });
    expect(resolve({ env, files: { [MYCNF]: '[client]\nhost=cnf-host\n' } }).source).toMatchObject({ host: 'cnf-host', port: 3399 });
    expect(resolve({ env, files: { [MYCNF]: cnf } }).source).toMatchObject({ host: 'cnf-host', port: 3310 });
    expect(resolve({ env, flags: { port: 7 } }).source).toMatchObject({ host: 'env-host', port: 7 });
    expect(resolve({ env: { MYSQL_UNIX_PORT: '/env.sock' } }).source.socketPath).toBe('/env.sock');
    expect(() => resolve({ env: { MYSQL_HOST: 'h', MYSQL_TCP_PORT: 'abc' } })).toThrow(/MYSQL_TCP_PORT: invalid port/);
  });

  it('--ssl-* flags win over the URL and option files; --report-ssl-* set the report side alone', () => {
    const files = { [MYCNF]: '[client]\nhost=h\nssl-mode=disabled\n' };
    expect(resolve({ files, flags: { tls: { ca: '/ca.pem' } } }).source.ssl).toEqual({ mode: 'verify-ca', ca: '/ca.pem' });
    const url = 'mysql://u@h/crm?ssl-mode=required';
    expect(resolve({ flags: { source: url, tls: { mode: 'verify-identity' } } }).source.ssl).toEqual({ mode: 'verify-identity' });
    const split = resolve({ flags: { host: 'h', reportHost: 'r', reportTls: { mode: 'required' } } });
    expect(split.report.ssl).toEqual({ mode: 'required' });
    expect(() => resolve({ flags: { host: 'h', tls: { cert: '/c.pem' } } })).toThrow(/--ssl-\*: ssl-cert and ssl-key go together/);
  });
});
