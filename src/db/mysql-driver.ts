/**
 * The only module that imports mysql2 for sessions. It adapts mysql2's promise API to the
 * narrow `SqlConnection` interface and turns driver errors into `ConnectionError`s whose
 * text never contains a password. Row streaming below mysql2's row objects is in
 * raw-row-stream.ts.
 */
import type { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import mysql from 'mysql2/promise';
import { DualpipeError, TlsError } from '../errors.js';
import type { ConnectionTarget, ExecResult, RawRowSink, Row, SqlConnection, SqlConnector, StreamOptions } from './connection.js';
import { describeTarget } from './describe-target.js';
import { explainConnectError } from './explain-connect-error.js';
import { type RawConnection, rawTypeCast, streamRawRows } from './raw-row-stream.js';
import { type TlsClientOptions, tlsClientOptions, tlsRequired } from './tls-options.js';
import { tlsConnectionOptions } from './tls-socket.js';

export { explainConnectError } from './explain-connect-error.js';
/** mysql2 TLS options for a target (prefer `tlsConnectionOptions`, which also fixes IP identity checks). */
export { sslOptions } from './tls-options.js';
export { tlsConnectionOptions } from './tls-socket.js';

class Mysql2Connection implements SqlConnection {
  private closed = false;
  /** Set once the connection is lost (server gone): a stream started afterwards fails at once. */
  private lost: Error | undefined;
  /** Fails the stream running now, if any. */
  private onLost: ((error: Error) => void) | undefined;
  constructor(private readonly conn: mysql.Connection) {
    // mysql2 reports a lost connection to callback queries only: a streaming query running then,
    // or started afterwards, heard nothing and waited forever (a scheduled backup hung when the
    // server was killed). Its 'error' event on the connection is the one signal.
    (conn as unknown as { connection: EventEmitter }).connection.on('error', (error: Error & { fatal?: boolean }) => {
      if (error.fatal) this.lost ??= error;
      this.onLost?.(error);
    });
  }

  get threadId(): number {
    return this.conn.threadId ?? 0;
  }

  async query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    const [rows] = await this.conn.query(sql, params as unknown[] | undefined);
    return rows as T[];
  }

  async execute(sql: string, params?: readonly unknown[]): Promise<ExecResult> {
    const [res] = await this.conn.query(sql, params as unknown[] | undefined);
    return toExecResult(res);
  }

  async *stream(sql: string, params?: readonly unknown[], options: StreamOptions = {}): AsyncIterable<unknown[]> {
    // The callback-style connection underneath exposes a row stream with back-pressure.
    const raw = (this.conn as unknown as { connection: RawConnection }).connection;
    if (this.lost) throw this.lost;
    let lost: Error | undefined;
    this.onLost = (error) => (lost ??= error);
    const rows = raw
      .query({ sql, values: params, rowsAsArray: true, ...(options.raw ? { typeCast: rawTypeCast } : {}) })
      .stream({ highWaterMark: 256 });
    if (lost) rows.destroy(lost);
    this.onLost = (error) => rows.destroy(error);
    try {
      for await (const row of rows) yield row as unknown[];
    } finally {
      this.onLost = undefined;
    }
  }

  async *streamRaw<T>(sql: string, sink: RawRowSink<T>): AsyncIterable<T> {
    const raw = (this.conn as unknown as { connection: RawConnection }).connection;
    if (this.lost) throw this.lost;
    yield* streamRawRows(raw, sql, sink, { onLost: (handler) => (this.onLost = handler), destroy: () => this.destroy() });
  }

  async loadInfile(sql: string, source: () => Readable): Promise<ExecResult> {
    const [res] = await this.conn.query({ sql, infileStreamFactory: source } as mysql.QueryOptions);
    return toExecResult(res);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.conn.end();
    } catch {
      this.conn.destroy();
    }
  }

  destroy(): void {
    this.closed = true;
    // mysql2's destroy() only ends the socket politely (FIN) and keeps it open until the server
    // answers, which a frozen server never does; destroying the socket itself frees it at once.
    this.conn.destroy();
    (this.conn as unknown as { connection: { stream?: { destroy(): void } } }).connection.stream?.destroy();
  }
}

function toExecResult(res: unknown): ExecResult {
  const r = (Array.isArray(res) ? res[res.length - 1] : res) as Partial<ExecResult> | undefined;
  return {
    affectedRows: r?.affectedRows ?? 0,
    // mysql2 reads it from the server's "Rows matched: … Changed: …" (UPDATE only), and says 0
    // when that text is missing or in another language (lc_messages): then there is none.
    ...(typeof r?.changedRows === 'number' && /changed:/i.test((r as { info?: string }).info ?? '') ? { changedRows: r.changedRows } : {}),
    insertId: r?.insertId ?? 0,
    warningStatus: r?.warningStatus ?? 0,
  };
}

/** The session's TLS cipher, empty when it is not encrypted. */
async function sessionCipher(conn: mysql.Connection): Promise<string> {
  const [rows] = await conn.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
  // SHOW STATUS gives every value as text.
  return (rows as { Value?: string | null }[])[0]?.Value ?? '';
}

/** Options of a connector. */
export interface ConnectorOptions {
  /** How long a connection attempt may take (TCP and handshake), in ms; default 10 000. */
  connectTimeoutMs?: number;
}

/**
 * Creates a connector for one server. Under `ssl-mode=preferred` the first session tries TLS and
 * the connector remembers a server that offers none (mysql2 has no opportunistic mode). Under a
 * mode that requires TLS, the first session also asks the server whether it really is encrypted.
 */
export function createConnector(target: ConnectionTarget, options: ConnectorOptions = {}): SqlConnector {
  const label = describeTarget(target);
  const mode = target.ssl?.mode;
  const required = tlsRequired(target.ssl);
  // One options object per connector: mysql2 keys its TLS session cache on it, so later
  // sessions resume the first one's TLS session instead of a full handshake.
  let ssl: TlsClientOptions | undefined;
  let sslRead = false;
  let verified = !required;
  const open = async (database: string | undefined, tls: TlsClientOptions | undefined) =>
    mysql.createConnection({
      ...(target.socketPath ? { socketPath: target.socketPath } : { host: target.host, port: target.port }),
      user: target.user,
      ...(target.password !== undefined ? { password: target.password } : {}),
      ...(database ? { database } : {}),
      ...tlsConnectionOptions(target, tls),
      charset: 'UTF8MB4_UNICODE_CI',
      // Exactness over convenience: values come back as the server printed them.
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      decimalNumbers: false,
      jsonStrings: true,
      // JS Dates (run history) are written as UTC, matching the sessions' time_zone '+00:00'.
      timezone: 'Z',
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      multipleStatements: false,
    });
  return {
    target,
    label,
    async connect(options = {}) {
      const database = options.database === null ? undefined : (options.database ?? target.database);
      if (!sslRead) {
        ssl = tlsClientOptions(target.ssl);
        sslRead = true;
      }
      let conn: mysql.Connection;
      try {
        try {
          conn = await open(database, ssl);
        } catch (error) {
          if (mode !== 'preferred' || (error as { code?: string }).code !== 'HANDSHAKE_NO_SSL_SUPPORT') throw error;
          ssl = undefined;
          conn = await open(database, undefined);
        }
      } catch (error) {
        if (error instanceof DualpipeError) throw error;
        throw explainConnectError(label, error, { database, sslMode: mode, encrypted: ssl !== undefined });
      }
      if (!verified) {
        // mysql2 fails rather than continue in plaintext once `ssl` is set; asking the server
        // costs one round trip per connector and also covers a proxy that ends TLS early.
        const cipher = await sessionCipher(conn).catch(() => '');
        if (!cipher) {
          conn.destroy();
          throw new TlsError(label, `the session is not encrypted, and ssl-mode=${mode ?? 'required'} refuses a plaintext connection`, {
            hint: 'enable TLS on the server (ssl_cert/ssl_key), or drop --require-tls / ssl-mode from the URL',
          });
        }
        verified = true;
      }
      return new Mysql2Connection(conn);
    },
  };
}
