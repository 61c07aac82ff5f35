import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeOptionValue, encodeOptionValue, parseOptionText } from '../../../src/config/option-file-syntax.js';
import { type OptionFileIo, optionFileList, optionsForGroups, readOptionFiles } from '../../../src/config/option-files.js';
import { ConfigError } from '../../../src/errors.js';

/** An in-memory file system: path → text (mode 0o600 unless given in `modes`). */
function memoryIo(files: Record<string, string>, modes: Record<string, number> = {}): OptionFileIo {
  return {
    readFile: (p) => files[p],
    mode: (p) => (p in files ? (modes[p] ?? 0o600) : undefined),
    listDir: (dir) => {
      const names = Object.keys(files).filter((p) => p.startsWith(`${dir}/`)).map((p) => p.slice(dir.length + 1));
      return names.length ? names.filter((n) => !n.includes('/')) : undefined;
    },
  };
}

function optionsOf(text: string, groups = ['client']): Map<string, string> {
  return optionsForGroups(readOptionFiles({ defaultsFile: '/f.cnf' }, memoryIo({ '/f.cnf': text })), groups);
}

describe('option file syntax (MySQL dialect)', () => {
  it('reads quotes, escapes, comments, bare keys and -/_ alike', () => {
    const o = optionsOf(
      [
        '# comment',
        '; comment too',
        '[client]',
        'user = "ann smith"   # a comment after a quoted value',
        "password='p#ss;word'",
        'host=db1 # comment',
        'ssl_ca = C:\\certs\\ca.pem',
        'socket = "/tmp/a\\sb.sock"',
        'skip-ssl',
        'loose-port = 3310',
        '  SSL_Cert=/c.pem',
      ].join('\n'),
    );
    expect(o.get('user')).toBe('ann smith');
    expect(o.get('password')).toBe('p#ss;word');
    expect(o.get('host')).toBe('db1');
    expect(o.get('ssl-ca')).toBe('C:\\certs\\ca.pem');
    expect(o.get('socket')).toBe('/tmp/a b.sock');
    expect(o.get('skip-ssl')).toBe('');
    expect(o.get('port')).toBe('3310');
    expect(o.get('ssl-cert')).toBe('/c.pem');
  });

  it('lets a later key, a later group and a later file win; ignores other groups', () => {
    const io = memoryIo({
      '/etc/my.cnf': '[client]\nuser=sys\nhost=h-sys\n',
      '/home/u/.my.cnf': '[dualpipe]\nuser=mine\n[client]\nhost=h-home\n[mysqld]\nuser=mysql\n[client]\nport=1\nport=2\n',
    });
    const o = optionsForGroups(readOptionFiles({ home: '/home/u' }, io), ['client', 'dualpipe']);
    expect(o.get('user')).toBe('mine');
    expect(o.get('host')).toBe('h-home');
    expect(o.get('port')).toBe('2');
  });

  it('follows !include and !includedir (only *.cnf, in name order), relative to the including file', () => {
    const io = memoryIo({
      '/etc/mysql/my.cnf': '[client]\nuser=a\n!include extra/one.conf\n!includedir /etc/mysql/conf.d\n',
      '/etc/mysql/extra/one.conf': '[client]\nhost=included\n',
      '/etc/mysql/conf.d/20-b.cnf': '[client]\nuser=b\n',
      '/etc/mysql/conf.d/10-a.cnf': '[client]\nuser=first\nport=7\n',
      '/etc/mysql/conf.d/99-z.ini': '[client]\nuser=ini-ignored\n',
    });
    const read = readOptionFiles({}, io);
    const o = optionsForGroups(read, ['client']);
    expect(o.get('host')).toBe('included');
    expect(o.get('user')).toBe('b');
    expect(o.get('port')).toBe('7');
    expect(read.files).toEqual(['/etc/mysql/my.cnf', '/etc/mysql/extra/one.conf', '/etc/mysql/conf.d/10-a.cnf', '/etc/mysql/conf.d/20-b.cnf']);
  });

  it('ends an include loop with a warning instead of hanging', () => {
    const read = readOptionFiles({ defaultsFile: '/a.cnf' }, memoryIo({ '/a.cnf': '[client]\n!include /a.cnf\n' }));
    expect(read.warnings.some((w) => /nested too deep/.test(w))).toBe(true);
  });

  it('skips a world-writable file with a warning, as MySQL does', () => {
    const io = memoryIo({ '/home/u/.my.cnf': '[client]\npassword=stolen\n' }, { '/home/u/.my.cnf': 0o666 });
    const read = readOptionFiles({ home: '/home/u' }, io);
    expect(optionsForGroups(read, ['client']).has('password')).toBe(false);
    expect(read.warnings).toEqual([expect.stringMatching(/World-writable option file \/home\/u\/\.my\.cnf is ignored/)]);
    expect(read.warnings.join()).not.toContain('stolen');
  });

  it('chooses files as the client does: defaults, --defaults-file alone, --defaults-extra-file before ~/.my.cnf, --no-defaults none', () => {
    expect(optionFileList({ home: '/h', mysqlHome: '/m', defaultsExtraFile: '/x.cnf' }).map((f) => f.path)).toEqual([
      '/etc/my.cnf',
      '/etc/mysql/my.cnf',
      '/m/my.cnf',
      '/x.cnf',
      '/h/.my.cnf',
    ]);
    expect(optionFileList({ home: '/h', defaultsFile: '/only.cnf' })).toEqual([{ path: '/only.cnf', required: true }]);
    expect(optionFileList({ home: '/h', noDefaults: true, defaultsFile: '/only.cnf' })).toEqual([]);
    expect(optionFileList({}).map((f) => f.path)).toEqual(['/etc/my.cnf', '/etc/mysql/my.cnf']);
    expect(() => readOptionFiles({ defaultsExtraFile: '/missing.cnf' }, memoryIo({}))).toThrow(ConfigError);
  });

  it('refuses an option before any group, naming the line but not the value', () => {
    expect(() => parseOptionText('password=secret\n', '/f.cnf')).toThrow(/\/f\.cnf line 1: an option before any \[group\]/);
    try {
      parseOptionText('password=secret\n', '/f.cnf');
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('secret');
    }
  });

  it('round-trips any value through double-quoted encoding (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const clean = value.replace(/\0/g, '');
        expect(decodeOptionValue(encodeOptionValue(clean))).toBe(clean);
        const text = `[client]\npassword = ${encodeOptionValue(clean)}   # trailing comment\n`;
        expect(optionsOf(text).get('password')).toBe(clean);
      }),
      { numRuns: 300 },
    );
  });
});
