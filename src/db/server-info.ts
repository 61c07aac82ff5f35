import type { SqlConnection } from './connection.js';

/** What we need to know about a server to pick portable SQL. */
export interface ServerInfo {
  version: string;
  flavor: 'mariadb' | 'mysql';
  major: number;
  minor: number;
}

/** Parses `SELECT VERSION()` output such as `10.11.6-MariaDB-0+deb12u1` or `8.4.3`. */
export function parseServerVersion(version: string): ServerInfo {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return {
    version,
    flavor: /mariadb/i.test(version) ? 'mariadb' : 'mysql',
    major: m ? Number(m[1]) : 0,
    minor: m ? Number(m[2]) : 0,
  };
}

/** Asks the server for its version and flavor (`SELECT VERSION()`). */
export async function readServerInfo(conn: SqlConnection): Promise<ServerInfo> {
  const rows = await conn.query<{ v: string }>('SELECT VERSION() AS v');
  return parseServerVersion(rows[0]?.v ?? '');
}
