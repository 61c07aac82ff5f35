import { describe, expect, it } from 'vitest';
import { resolveStateDir, serverDirIn, type StateDirInputs } from '../../../src/config/state-dir.js';

const base: StateDirInputs = { env: {}, cwd: '/srv/app', home: '/home/dba', exists: () => false };
const legacyPresent = (p: string) => p === '/srv/app/.dualpipe/db';

describe('resolveStateDir', () => {
  it.each<[string, Partial<StateDirInputs>, string, string]>([
    ['the default is under ~/.local/state', {}, '/home/dba/.local/state/dualpipe', 'xdg'],
    ['XDG_STATE_HOME moves the default', { env: { XDG_STATE_HOME: '/var/lib/x' } }, '/var/lib/x/dualpipe', 'xdg'],
    ['a relative XDG_STATE_HOME is ignored (XDG spec)', { env: { XDG_STATE_HOME: 'rel' } }, '/home/dba/.local/state/dualpipe', 'xdg'],
    ['./.dualpipe without db/ (only backups, say) is no state directory', { exists: (p) => p === '/srv/app/.dualpipe' }, '/home/dba/.local/state/dualpipe', 'xdg'],
    ['./.dualpipe wins over XDG when it holds db/ (earlier versions kept it there)', { exists: legacyPresent, env: { XDG_STATE_HOME: '/x' } }, '/srv/app/.dualpipe', 'cwd'],
    ['the config key wins over ./.dualpipe, relative to the config file', { exists: legacyPresent, configKey: 'state', configDir: '/etc/dualpipe' }, '/etc/dualpipe/state', 'config'],
    ['an absolute config key', { configKey: '/var/lib/dualpipe', configDir: '/etc/dualpipe' }, '/var/lib/dualpipe', 'config'],
    ['DUALPIPE_STATE_DIR wins over the config key, relative to the cwd', { env: { DUALPIPE_STATE_DIR: 'st' }, configKey: '/c' }, '/srv/app/st', 'env'],
    ['--state-dir wins over everything', { flag: '/opt/s', env: { DUALPIPE_STATE_DIR: '/e' }, configKey: '/c', exists: legacyPresent }, '/opt/s', 'flag'],
    ['an empty DUALPIPE_STATE_DIR counts as unset', { env: { DUALPIPE_STATE_DIR: '' } }, '/home/dba/.local/state/dualpipe', 'xdg'],
  ])('%s', (_name, over, dir, from) => {
    expect(resolveStateDir({ ...base, ...over })).toEqual({ dir, from });
  });

  it('does not depend on the working directory unless ./.dualpipe/db exists there', () => {
    const a = resolveStateDir({ ...base, cwd: '/a' });
    const b = resolveStateDir({ ...base, cwd: '/b/c' });
    expect(a).toEqual(b);
  });

  it('the embedded server lives in <state dir>/db', () => {
    expect(serverDirIn('/var/lib/dualpipe')).toBe('/var/lib/dualpipe/db');
  });
});
