/**
 * Where dualpipe keeps its local state (today the embedded server under `<state dir>/db`), chosen
 * so that it does not depend on the working directory: cron, systemd and a DBA's shell in another
 * folder must all find the same embedded server.
 */
import { isAbsolute, join, resolve } from 'node:path';

/** Where the state directory came from, for `db status` and error hints. */
export type StateDirSource = 'flag' | 'env' | 'config' | 'cwd' | 'xdg';

/** The chosen state directory (absolute) and why it was chosen. */
export interface ResolvedStateDir {
  dir: string;
  from: StateDirSource;
}

/** What the state directory is decided from; plain values, so the choice is testable without a file system. */
export interface StateDirInputs {
  /** `--state-dir`, relative to `cwd`. */
  flag?: string | undefined;
  /** The environment: `DUALPIPE_STATE_DIR` (relative to `cwd`), `XDG_STATE_HOME`. */
  env: Record<string, string | undefined>;
  /** The config file's `stateDir`, relative to the config file's folder `configDir`. */
  configKey?: string | undefined;
  configDir?: string | undefined;
  cwd: string;
  /** The user's home folder (os.homedir()). */
  home: string;
  /** Whether a path exists (fs.existsSync); used only for the backwards-compatible `./.dualpipe/db`. */
  exists: (path: string) => boolean;
}

/** The state folder of earlier versions, relative to the working directory. */
export const LEGACY_STATE_DIR = '.dualpipe';

/**
 * `--state-dir` > `DUALPIPE_STATE_DIR` > config `stateDir` > `./.dualpipe` when it holds an embedded
 * server (`./.dualpipe/db`, where earlier versions kept it) > `$XDG_STATE_HOME/dualpipe` >
 * `~/.local/state/dualpipe`. The test is `db`, not the folder: `./.dualpipe/backups` (the demo's) is
 * no embedded server, and taking it for one would hide the server from the next command.
 */
export function resolveStateDir(i: StateDirInputs): ResolvedStateDir {
  if (i.flag) return { dir: resolve(i.cwd, i.flag), from: 'flag' };
  const env = i.env.DUALPIPE_STATE_DIR;
  if (env) return { dir: resolve(i.cwd, env), from: 'env' };
  if (i.configKey) return { dir: resolve(i.configDir ?? i.cwd, i.configKey), from: 'config' };
  const legacy = resolve(i.cwd, LEGACY_STATE_DIR);
  if (i.exists(join(legacy, 'db'))) return { dir: legacy, from: 'cwd' };
  // The XDG Base Directory spec says a relative XDG_STATE_HOME is invalid and must be ignored.
  const xdg = i.env.XDG_STATE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(i.home, '.local', 'state');
  return { dir: join(base, 'dualpipe'), from: 'xdg' };
}

/** The embedded server's folder inside a state directory (its state.json records pid, port and socket). */
export function serverDirIn(stateDir: string): string {
  return join(stateDir, 'db');
}
