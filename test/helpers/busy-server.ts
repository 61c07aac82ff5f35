/** Makes a test server busy: sessions running SELECT SLEEP(n), each counted in Threads_running. */
import type { SqlConnection, SqlConnector } from '../../src/db/connection.js';
import { readServerLoad } from '../../src/guard/server-load.js';

/** K sleeping sessions; `done` settles (closing them) when the sleeps end, with that moment (ms). */
export interface BusyServer {
  done: Promise<number>;
}

/** Starts `k` sessions each sleeping `seconds`, and waits until the server counts them running. */
export async function busyServer(connector: SqlConnector, k: number, seconds: number): Promise<BusyServer> {
  const sessions: SqlConnection[] = await Promise.all(Array.from({ length: k }, () => connector.connect()));
  const done = Promise.all(sessions.map((s) => s.query(`SELECT SLEEP(${seconds})`))).then(async () => {
    const at = Date.now();
    for (const s of sessions) await s.close();
    return at;
  });
  const probe = await connector.connect();
  try {
    for (let i = 0; i < 200; i++) {
      const load = await readServerLoad(probe, ['Threads_running']);
      if ((load.get('threads_running') ?? 0) > k) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await probe.close();
  }
  return { done };
}

/** A logger that keeps each message line (for asserting on what a run logged). */
export function lineLogger(): { lines: string[]; logger: { debug: Log; info: Log; warn: Log; error: Log } } {
  const lines: string[] = [];
  const push: Log = (o, m) => lines.push(m ?? (typeof o === 'string' ? o : ''));
  return { lines, logger: { debug: push, info: push, warn: push, error: push } };
}

type Log = (o: object | string, m?: string) => void;
