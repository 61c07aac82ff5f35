/**
 * The only module that imports mysql2 for sessions. It adapts mysql2's promise API to the
 * narrow `SqlConnection` interface and turns driver errors into `ConnectionError`s whose
 * text never contains a password.
 */
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import mysql from 'mysql2/promise';
import { ConnectionError, MissingSchemaError } from '../errors.js';
import type { ConnectionTarget, ExecResult, RawRowSink, Row, SqlConnection, SqlConnector, StreamOptions } from './connection.js';
import { describeTarget } from './describe-target.js';

interface DriverError extends Error {
  code?: string;
  errno?: number;
  sqlMessage?: string;
}

/** Maps a connect-time failure to one clear line with what to do. */
export function explainConnectError(
  label: string,
  error: unknown,
  database?: string,
): ConnectionError | MissingSchemaError {
  const e = error as DriverError;
  switch (e.code) {
    case 'ECONNREFUSED':
      return new ConnectionError(label, 'connection refused: no server is listening there', {
        cause: error,
        hint: 'start the server (`dualpipe db start`) or check host and port in --source/--report',
      });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConnectionError(label, 'unknown host', {
        cause: error,
        hint: 'check the host name in the URL',
      });
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ConnectionError(label, 'host unreachable (timed out)', {
        cause: error,
        hint: 'check the host, port and firewall',
      });
    case 'ENOENT':
      return new ConnectionError(label, 'socket file not found', {
        cause: error,
        hint: 'check the socket path, or start the server with `dualpipe db start`',
      });
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
    case 'ER_DBACCESS_DENIED_ERROR':
      return new ConnectionError(label, 'access denied (wrong user or password)', {
        cause: error,
        hint: 'check the user, and the password in DUALPIPE_SOURCE_PASSWORD/DUALPIPE_REPORT_PASSWORD or the option file',
      });
    case 'ER_BAD_DB_ERROR':
      return new MissingSchemaError(database ?? label, { cause: error });
    default:
      return new ConnectionError(label, e.sqlMessage ?? e.message ?? String(error), { cause: error });
  }
}

/** mysql2 TLS options for a target (also used by the knex migrations). */
export function sslOptions(target: ConnectionTarget): mysql.SslOptions | undefined {
  const ssl = target.ssl;
  if (!ssl || ssl.mode === 'disabled' || ssl.mode === 'preferred') return undefined;
  const read = (file?: string) => (file ? readFileSync(file, 'utf8') : undefined);
  const ca = read(ssl.ca);
  const cert = read(ssl.cert);
  const key = read(ssl.key);
  return {
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    rejectUnauthorized: ssl.mode === 'verify-ca' || ssl.mode === 'verify-identity',
    ...(ssl.mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
  };
}

class Mysql2Connection implements SqlConnection {
  private closed = false;
  constructor(private readonly conn: mysql.Connection) {}

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
    const rows = raw
      .query({ sql, values: params, rowsAsArray: true, ...(options.raw ? { typeCast: rawTypeCast } : {}) })
      .stream({ highWaterMark: 256 });
    for await (const row of rows) yield row as unknown[];
  }

  async *streamRaw<T>(sql: string, sink: RawRowSink<T>): AsyncIterable<T> {
    const raw = (this.conn as unknown as { connection: RawConnection }).connection;
    const query = raw.query({ sql, rowsAsArray: true });
    let failed: Error | undefined;
    let done = false;
    // mysql2 builds a row parser once the column definitions are in; this one hands the row's
    // bytes to the sink instead. A throw inside mysql2's row handler would end the command while
    // the server still sends rows, so sink errors are kept here and the rest is drained.
    const parser = {
      next(packet: { buffer: Buffer; offset: number; end: number }): boolean {
        if (failed) return false;
        try {
          return sink.row(packet.buffer, packet.offset, packet.end);
        } catch (error) {
          failed = error as Error;
          return false;
        }
      },
    };
    Object.defineProperty(query, '_rowParser', { get: () => parser, set: () => {}, configurable: true });
    const ready: T[] = [];
    let wake: (() => void) | undefined;
    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const MAX_WAITING = 4;
    query.on('result', (blocksReady: unknown) => {
      if (blocksReady !== true) return;
      ready.push(...sink.take());
      if (ready.length >= MAX_WAITING) raw.pause();
      notify();
    });
    query.on('error', (error: Error) => {
      failed ??= error;
      done = true;
      notify();
    });
    query.on('end', () => {
      if (!failed) ready.push(...sink.take(true));
      done = true;
      notify();
    });
    try {
      for (;;) {
        if (ready.length > 0) {
          const block = ready.shift()!;
          if (ready.length < MAX_WAITING) raw.resume();
          yield block;
          continue;
        }
        if (failed) throw failed;
        if (done) return;
        await new Promise<void>((r) => (wake = r));
      }
    } finally {
      // A consumer that stopped early leaves rows on the wire: the session cannot be reused.
      if (!done) this.destroy();
    }
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
    this.conn.destroy();
  }
}

interface RawField {
  type: string;
  string(): string | null;
  buffer(): Buffer | null;
}

const BYTE_TYPES = new Set(['BLOB', 'TINY_BLOB', 'MEDIUM_BLOB', 'LONG_BLOB', 'STRING', 'VAR_STRING', 'JSON', 'BIT', 'GEOMETRY']);

/**
 * Raw mode: byte strings come back as Buffers, untouched; numbers, dates and times as their exact
 * text. mysql2 does not tell a typeCast the column's character set, so text columns are Buffers
 * too, holding UTF-8 (the connection's character set): the caller, which knows from
 * information_schema which columns are binary, decodes text ones.
 */
function rawTypeCast(field: RawField): string | Buffer | null {
  return BYTE_TYPES.has(field.type) ? field.buffer() : field.string();
}

interface RawConnection {
  query(options: {
    sql: string;
    values?: readonly unknown[];
    rowsAsArray: boolean;
    typeCast?: (field: RawField) => unknown;
  }): {
    stream(options: { highWaterMark: number }): AsyncIterable<unknown>;
    on(event: string, listener: (...args: never[]) => void): unknown;
  };
  pause(): void;
  resume(): void;
}

function toExecResult(res: unknown): ExecResult {
  const r = (Array.isArray(res) ? res[res.length - 1] : res) as Partial<ExecResult> | undefined;
  return {
    affectedRows: r?.affectedRows ?? 0,
    insertId: r?.insertId ?? 0,
    warningStatus: r?.warningStatus ?? 0,
  };
}

/** Creates a connector for one server. */
export function createConnector(target: ConnectionTarget): SqlConnector {
  const label = describeTarget(target);
  return {
    target,
    label,
    async connect(options = {}) {
      const database = options.database === null ? undefined : (options.database ?? target.database);
      const ssl = sslOptions(target);
      try {
        const conn = await mysql.createConnection({
          ...(target.socketPath
            ? { socketPath: target.socketPath }
            : { host: target.host, port: target.port }),
          user: target.user,
          ...(target.password !== undefined ? { password: target.password } : {}),
          ...(database ? { database } : {}),
          ...(ssl ? { ssl } : {}),
          charset: 'UTF8MB4_UNICODE_CI',
          // Exactness over convenience: values come back as the server printed them.
          dateStrings: true,
          supportBigNumbers: true,
          bigNumberStrings: true,
          decimalNumbers: false,
          jsonStrings: true,
          // JS Dates (run history) are written as UTC, matching the sessions' time_zone '+00:00'.
          timezone: 'Z',
          connectTimeout: 10_000,
          multipleStatements: false,
        });
        return new Mysql2Connection(conn);
      } catch (error) {
        throw explainConnectError(label, error, database);
      }
    },
  };
}
