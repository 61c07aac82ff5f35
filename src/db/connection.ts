import type { Readable } from 'node:stream';

/** A row as an object keyed by column name. */
export type Row = Record<string, unknown>;

/** Options of `SqlConnection.stream`. */
export interface StreamOptions {
  /** Values as the server sent them, nothing parsed into JS numbers or dates (see `stream`). */
  raw?: boolean;
}

/**
 * Receives result rows as the bytes the server sent: a text-protocol row is a run of
 * length-encoded strings, 0xFB alone standing for NULL. Lets a caller write rows out without a
 * JS value per field (backup/tsv-block-encoder.ts).
 */
export interface RawRowSink<T> {
  /** Consumes the row `src[start, end)`; true when finished blocks are ready to take. */
  row(src: Uint8Array, start: number, end: number): boolean;
  /** The finished blocks, in order; with `final`, also what is left. */
  take(final?: boolean): T[];
}

/** Result of a statement that changes data. */
export interface ExecResult {
  affectedRows: number;
  /** Of an UPDATE, the rows whose values changed (affectedRows counts the rows it matched). */
  changedRows?: number;
  insertId: number;
  warningStatus: number;
}

/**
 * The narrow interface every part of dualpipe uses to talk to a server. Only
 * `mysql-driver.ts` knows about mysql2; tests use real servers through this same interface.
 */
export interface SqlConnection {
  /** Server thread id of this session (for KILL and diagnostics). */
  readonly threadId: number;
  /** Runs a statement returning rows; `?` placeholders are filled client-side. */
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement that returns no rows. */
  execute(sql: string, params?: readonly unknown[]): Promise<ExecResult>;
  /**
   * Streams rows as arrays of column values, with back-pressure. With `raw`, numbers, dates and
   * times are the exact text the server sent, string and binary columns are Buffers (text ones in
   * UTF-8), and NULL is null: nothing is parsed into JS numbers, so nothing is rounded.
   */
  stream(sql: string, params?: readonly unknown[], options?: StreamOptions): AsyncIterable<unknown[]>;
  /**
   * Streams a query's rows through `sink` and yields the blocks it finishes, with back-pressure:
   * the socket pauses while blocks wait to be consumed.
   */
  streamRaw<T>(sql: string, sink: RawRowSink<T>): AsyncIterable<T>;
  /** Runs `LOAD DATA LOCAL INFILE` reading the file contents from `source`. */
  loadInfile(sql: string, source: () => Readable): Promise<ExecResult>;
  /** Closes the session. Safe to call twice. */
  close(): Promise<void>;
  /** Closes the socket at once without a goodbye (used on abort). */
  destroy(): void;
}

/** Where to connect; produced by the config layer, consumed by the driver. */
export interface ConnectionTarget {
  host?: string;
  port?: number;
  socketPath?: string;
  user: string;
  password?: string;
  database?: string;
  ssl?: TlsSettings;
}

/**
 * MySQL's `--ssl-mode`: `disabled` never encrypts; `preferred` tries TLS and falls back to plaintext
 * when the server offers none; `required` insists on TLS without checking the certificate;
 * `verify-ca` also checks the chain against the CA; `verify-identity` also checks the host name.
 */
export type SslMode = 'disabled' | 'preferred' | 'required' | 'verify-ca' | 'verify-identity';

/** TLS settings of a target: the mode and the paths (never the contents) of the PEM files. */
export interface TlsSettings {
  mode: SslMode;
  ca?: string;
  cert?: string;
  key?: string;
}

/** Opens sessions to one server. */
export interface SqlConnector {
  readonly target: ConnectionTarget;
  /** A printable, password-free description such as `root@127.0.0.1:3306/crm`. */
  readonly label: string;
  connect(options?: { database?: string | null }): Promise<SqlConnection>;
}
