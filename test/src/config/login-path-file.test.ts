import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeLoginPathFile } from '../../../src/config/login-path-file.js';
import { type OptionFileChoice, type OptionFileIo, optionsForGroups, readOptionFiles } from '../../../src/config/option-files.js';
import { ConfigError } from '../../../src/errors.js';

/**
 * The fixture was written by MySQL 9.7's own `mysql_config_editor` (not by dualpipe), so it is an
 * oracle that shares no code with the decoder:
 *   MYSQL_TEST_LOGIN_FILE=… mysql_config_editor set --login-path=client --host=db1.example --port=3310 --user=bob
 *   MYSQL_TEST_LOGIN_FILE=… mysql_config_editor set --login-path=ops --user=alice --password --socket=/run/my.sock
 * (password typed: p#ss "w\ord' x). MySQL's `my_print_defaults --show client ops` printed the values
 * expected below.
 */
const FIXTURE = readFileSync(new URL('./fixtures/mylogin.cnf', import.meta.url));
const PASSWORD = `p#ss "w\\ord' x`;

function io(files: Record<string, string | Uint8Array>, modes: Record<string, number> = {}): OptionFileIo {
  return {
    readFile: (p) => (typeof files[p] === 'string' ? files[p] : undefined),
    readBytes: (p) => (files[p] instanceof Uint8Array ? files[p] : undefined),
    mode: (p) => (p in files ? (modes[p] ?? 0o600) : undefined),
    listDir: () => undefined,
  };
}

const read = (choice: OptionFileChoice, files: Record<string, string | Uint8Array>, modes?: Record<string, number>) =>
  readOptionFiles({ home: '/home/me', ...choice }, io(files, modes));

describe('MySQL login path file (~/.mylogin.cnf)', () => {
  it('decodes a file written by mysql_config_editor into its groups', () => {
    const text = decodeLoginPathFile(FIXTURE, 'f');
    expect(text).toMatch(/^\[client\]/);
    expect(text).toContain('[ops]');
    const client = optionsForGroups(read({}, { '/home/me/.mylogin.cnf': FIXTURE }), ['client']);
    expect(Object.fromEntries(client)).toEqual({ user: 'bob', host: 'db1.example', port: '3310' });
  });

  it('reads the --login-path group as [client], after it, so its values win', () => {
    const o = optionsForGroups(read({ loginPath: 'ops' }, { '/home/me/.mylogin.cnf': FIXTURE }), ['client', 'dualpipe']);
    expect(Object.fromEntries(o)).toEqual({ user: 'alice', host: 'db1.example', port: '3310', password: PASSWORD, socket: '/run/my.sock' });
  });

  it('wins over ~/.my.cnf and is still read with --defaults-file, but not with --no-defaults or --no-login-paths', () => {
    const files = { '/home/me/.my.cnf': '[client]\nuser=fromcnf\nport=4000\n', '/etc/x.cnf': '[client]\nuser=x\n', '/home/me/.mylogin.cnf': FIXTURE };
    expect(optionsForGroups(read({}, files), ['client']).get('user')).toBe('bob');
    expect(read({ defaultsFile: '/etc/x.cnf' }, files).files).toEqual(['/etc/x.cnf', '/home/me/.mylogin.cnf']);
    expect(read({ noDefaults: true }, files).files).toEqual([]);
    expect(read({ noLoginPaths: true }, files).files).toEqual(['/home/me/.my.cnf']);
  });

  it('takes MYSQL_TEST_LOGIN_FILE instead of the home file', () => {
    const r = read({ loginFile: '/t/login.cnf' }, { '/t/login.cnf': FIXTURE, '/home/me/.mylogin.cnf': new Uint8Array(40) });
    expect(r.files).toEqual(['/t/login.cnf']);
  });

  it('skips a world-writable file with a warning, as MySQL does', () => {
    const r = read({}, { '/home/me/.mylogin.cnf': FIXTURE }, { '/home/me/.mylogin.cnf': 0o666 });
    expect(r.files).toEqual([]);
    expect(r.warnings[0]).toMatch(/World-writable login path file .*ignored/);
  });

  it('names an unknown login path, a missing file and a damaged file in one ConfigError', () => {
    expect(() => read({ loginPath: 'nope' }, { '/home/me/.mylogin.cnf': FIXTURE })).toThrow(/--login-path nope: no such login path/);
    expect(() => read({ loginPath: 'ops' }, {})).toThrow(/--login-path ops: there is no login path file/);
    const cut = FIXTURE.subarray(0, FIXTURE.length - 3);
    expect(() => read({}, { '/home/me/.mylogin.cnf': cut })).toThrow(ConfigError);
    expect(() => read({}, { '/home/me/.mylogin.cnf': FIXTURE.subarray(0, 10) })).toThrow(/too short/);
  });
});
