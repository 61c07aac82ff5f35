import type { SqlConnection, SqlConnector } from './connection.js';

/**
 * Runs `fn` on a new session and closes the session afterwards. Without a default schema unless
 * `options.database` says otherwise (`undefined`: the connector's own schema).
 */
export async function withSession<T>(
  connector: SqlConnector,
  fn: (conn: SqlConnection) => Promise<T>,
  options: { database?: string | null } = { database: null },
): Promise<T> {
  const conn = await connector.connect(options);
  try {
    return await fn(conn);
  } finally {
    await conn.close();
  }
}
