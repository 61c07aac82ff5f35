import type { SqlConnection, SqlConnector } from './connection.js';

/** Runs `fn` on a new session without a default schema, and closes the session afterwards. */
export async function withSession<T>(connector: SqlConnector, fn: (conn: SqlConnection) => Promise<T>): Promise<T> {
  const conn = await connector.connect({ database: null });
  try {
    return await fn(conn);
  } finally {
    await conn.close();
  }
}
