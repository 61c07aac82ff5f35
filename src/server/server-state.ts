import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What `db start` records so that later commands find the embedded server. */
export interface EmbeddedServerState {
  pid: number;
  port: number;
  socket: string;
  dataDir: string;
  binary: string;
  flavor: 'mariadb' | 'mysql';
  /** The server's VERSION() (absent in state files written before it was recorded). */
  version?: string;
  startedAt: string;
  /** Present when the server serves TLS; `ca` is the CA file clients verify it with. */
  tls?: { ca?: string };
}

/** The file in the server folder that records the running embedded server. */
export const STATE_FILE = 'state.json';

/** Records the started server in `dir` (mode 0600). */
export function writeState(dir: string, state: EmbeddedServerState): void {
  writeFileSync(join(dir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** Forgets the server: removes the state file of `dir`, if there is one. */
export function removeState(dir: string): void {
  rmSync(join(dir, STATE_FILE), { force: true });
}

/** True when `pid` is alive and is the server started on `dataDir` (guards against reused pids). */
export function isServerProcess(pid: number, dataDir: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(dataDir);
  } catch {
    return true; // no /proc (macOS): trust the pid
  }
}

/** Reads the state file; returns undefined when absent, unreadable or the process is gone. */
export function readState(dir: string): EmbeddedServerState | undefined {
  const file = join(dir, STATE_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as EmbeddedServerState;
    return isServerProcess(state.pid, state.dataDir) ? state : undefined;
  } catch {
    return undefined;
  }
}
