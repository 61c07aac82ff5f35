/**
 * Is a silent statement's server alive? Asked on a fresh, short-lived session with its own short
 * deadline: a long `INSERT … SELECT` is silent on its own session but the server answers a new
 * one; a stopped (SIGSTOP) or hung server accepts the TCP connection (the kernel does that) but
 * never sends its handshake, so only a deadline of our own ends the wait.
 */
import type { SqlConnection, SqlConnector } from '../db/connection.js';

/** What a probe found: the server answered and the statement's session is there, is gone, or no answer. */
export type ProbeVerdict = 'busy' | 'gone' | 'frozen';

/** Probes `connector`'s server about session `threadId` (0: any answer counts), within `timeoutMs`. */
export async function probeServer(connector: SqlConnector, threadId: number, timeoutMs: number): Promise<ProbeVerdict> {
  let timer: NodeJS.Timeout | undefined;
  let late = false;
  const deadline = new Promise<'frozen'>((resolve) => (timer = setTimeout(() => resolve('frozen'), timeoutMs)));
  let conn: SqlConnection | undefined;
  const ask = (async (): Promise<ProbeVerdict> => {
    try {
      conn = await connector.connect({ database: null });
      // The session was opened after the deadline: it is nobody's now.
      if (late) {
        conn.destroy();
        return 'frozen';
      }
      if (threadId === 0) {
        await conn.query('SELECT 1');
        return 'busy';
      }
      // Every user sees their own sessions in PROCESSLIST without the PROCESS privilege.
      const rows = await conn.query('SELECT ID FROM information_schema.PROCESSLIST WHERE ID = ?', [threadId]);
      return rows.length > 0 ? 'busy' : 'gone';
    } catch {
      // Refused or reset: the server is not there to answer either.
      return 'frozen';
    }
  })();
  try {
    return await Promise.race([ask, deadline]);
  } finally {
    late = true;
    clearTimeout(timer);
    // destroy, not close: close waits for the server's goodbye, which a frozen server never sends.
    conn?.destroy();
  }
}
