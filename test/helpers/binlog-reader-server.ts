/**
 * A throwaway server of the suite's kind with the binlog on (ROW format; MySQL also with GTIDs, as
 * the suite runs it) and a small schema for the binlog reader's tests: parents, children (a
 * cascading foreign key), composite-keyed pairs, string-keyed codes, and a same-named table in
 * another schema.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqlConnection, SqlConnector } from '../../src/db/connection.js';
import { createConnector } from '../../src/db/mysql-driver.js';
import { startEmbeddedServer, stopEmbeddedServer } from '../../src/server/embedded-server.js';
import { type BinlogPosition, readBinlogPosition } from '../../sync/capture/binlog/binlog-position.js';
import { afterAll, beforeAll } from 'vitest';
import { ownServerOptions } from './test-server-choice.js';

export const BINLOG_SCHEMA = 'bl';
export const BINLOG_TABLES = ['parents', 'children', 'pairs', 'codes'];

export interface BinlogReaderServer {
  connector: SqlConnector;
  conn: SqlConnection;
  mariadb: boolean;
  /** The server's binlog position now. */
  pos(): Promise<BinlogPosition>;
  stop(): Promise<void>;
}

export async function startBinlogReaderServer(): Promise<BinlogReaderServer> {
  const dir = mkdtempSync(join(tmpdir(), 'dp-binlog-keys-'));
  const server = await startEmbeddedServer({ dir, ...ownServerOptions(['--log-bin=binlog', '--binlog-format=ROW', '--server-id=1']) });
  const connector = createConnector({ host: '127.0.0.1', port: server.port, user: 'root' });
  const conn = await connector.connect();
  const mariadb = /mariadb/i.test(String((await conn.query<{ v: string }>('SELECT VERSION() AS v'))[0]!.v));
  const S = BINLOG_SCHEMA;
  for (const s of [
    `CREATE DATABASE ${S}`,
    'CREATE DATABASE other',
    `CREATE TABLE ${S}.parents (id INT PRIMARY KEY, name VARCHAR(20))`,
    `CREATE TABLE ${S}.children (id INT PRIMARY KEY, parent_id INT NOT NULL,
       FOREIGN KEY (parent_id) REFERENCES ${S}.parents (id) ON DELETE CASCADE ON UPDATE CASCADE)`,
    `CREATE TABLE ${S}.pairs (a INT, b VARCHAR(10), v INT, PRIMARY KEY (a, b))`,
    `CREATE TABLE ${S}.codes (code VARCHAR(20) PRIMARY KEY, v INT)`,
    'CREATE TABLE other.parents (id INT PRIMARY KEY)',
    `INSERT INTO ${S}.parents VALUES (1, 'one'), (2, 'two'), (3, 'three')`,
    `INSERT INTO ${S}.children VALUES (10, 1), (11, 1), (20, 2), (30, 3)`,
  ]) {
    await conn.execute(s);
  }
  return {
    connector,
    conn,
    mariadb,
    pos: async () => (await readBinlogPosition(conn))!,
    async stop() {
      await conn.close().catch(() => {});
      await stopEmbeddedServer({ dir });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts the file's binlog server before its tests and stops it after; call at the file's top level. */
export function binlogReaderServerForFile(): () => BinlogReaderServer {
  let server: BinlogReaderServer | undefined;
  beforeAll(async () => {
    server = await startBinlogReaderServer();
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => server!;
}
