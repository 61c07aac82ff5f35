/**
 * A throwaway server of a test file's own, of the suite's kind (test-server-choice.ts). For tests
 * that assert on server-wide status such as Threads_running: on the shared server every other test
 * file's sessions count too (another file's GET_LOCK waiters, a sync's copy threads), and a restore
 * meant to run under the limit paused in the CI run of stop 29 (MySQL part).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedServer, stopEmbeddedServer } from '../../src/server/embedded-server.js';
import type { TestServer } from './test-database.js';
import { ownServerOptions } from './test-server-choice.js';

/** A started server; `destroy()` stops it and removes its folder. */
export interface OwnTestServer extends TestServer {
  destroy(): Promise<void>;
}

export async function startOwnTestServer(name: string): Promise<OwnTestServer> {
  const dir = mkdtempSync(join(tmpdir(), `dualpipe-own-${name}-`));
  try {
    const { port } = await startEmbeddedServer({ dir, install: true, ...ownServerOptions() });
    return {
      target: { host: '127.0.0.1', port, user: 'root' },
      url: (database) => `mysql://root@127.0.0.1:${port}/${database}`,
      async destroy() {
        await stopEmbeddedServer({ dir }).catch(() => {});
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
