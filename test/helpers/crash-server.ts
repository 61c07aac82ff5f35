/**
 * A throwaway mariadbd/mysqld of its own for fault tests, which can be killed with SIGKILL and
 * started again on the same data directory and port (InnoDB crash recovery on restart; MyISAM
 * tables that were open are repaired when next opened: the embedded server runs with
 * `myisam_recover_options=BACKUP,FORCE`). Never the shared server other test files use.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEmbeddedServer, stopEmbeddedServer } from '../../src/server/embedded-server.js';
import { isServerProcess, readState } from '../../src/server/server-state.js';
import { ownServerOptions } from './test-server-choice.js';

export interface CrashServer {
  readonly dir: string;
  readonly port: number;
  /** `mysql://root@127.0.0.1:<port>/<schema>` */
  url(schema: string): string;
  /** SIGKILLs the server process and waits until it is gone. Returns the killed pid. */
  kill(): Promise<number>;
  /** Starts the server again on the same data directory and port; resolves when it answers. */
  restart(): Promise<void>;
  /** Stops the server (cleanly) and removes its folder. */
  destroy(): Promise<void>;
}

export async function startCrashServer(): Promise<CrashServer> {
  const dir = mkdtempSync(join(tmpdir(), 'dualpipe-fault-'));
  const first = await startEmbeddedServer({ dir, install: true, ...ownServerOptions() });
  const { port, dataDir } = first;
  return {
    dir,
    port,
    url: (schema) => `mysql://root@127.0.0.1:${port}/${schema}`,
    async kill() {
      const state = readState(dir);
      if (!state) throw new Error(`no running server in ${dir}`);
      process.kill(state.pid, 'SIGKILL');
      for (let i = 0; isServerProcess(state.pid, dataDir); i++) {
        if (i > 200) throw new Error(`server pid ${state.pid} survived SIGKILL`);
        await sleep(25);
      }
      return state.pid;
    },
    async restart() {
      // readState ignores the stale state file of the killed process, so this starts a new one;
      // the fixed port keeps every client's URL valid across the restart.
      const again = await startEmbeddedServer({ dir, port, ...ownServerOptions() });
      if (again.reused) throw new Error('restart found the old server still running');
    },
    async destroy() {
      await stopEmbeddedServer({ dir }).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
