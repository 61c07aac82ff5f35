/**
 * Typed errors of the binlog key reader. Conditions a caller answers with a full sync (binlog
 * purged, wrong format, compressed transactions, DDL) are NOT errors: they come back as
 * `BinlogFallbackReason` data. These are the failures left: a bad stored position, a bad request,
 * a broken stream.
 */
import { DualpipeError, UsageError } from '../../../src/errors.js';

/** A stored binlog position could not be parsed (a damaged history row or marker). */
export class BinlogPositionError extends DualpipeError {
  /** The text that failed to parse. */
  readonly text: string;
  constructor(text: string, reason: string, options: { cause?: unknown } = {}) {
    super(`not a binlog position (${reason}): ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`, options);
    this.text = text;
  }
}

/** The reader was asked for something it cannot do: a table without a primary key, `to` before `from`. */
export class BinlogRequestError extends UsageError {
  /** The schema read. */
  readonly schema: string;
  constructor(schema: string, message: string, options: { hint?: string } = {}) {
    super(`binlog key reader on ${schema}: ${message}`, options);
    this.schema = schema;
  }
}

/** The binlog stream broke (connection lost, stalled, refused) before reaching its end position. */
export class BinlogReadError extends DualpipeError {
  /** The schema read. */
  readonly schema: string;
  /** The last position fully read (a commit), when any. */
  readonly at: string | undefined;
  constructor(schema: string, message: string, options: { cause?: unknown; at?: string; hint?: string } = {}) {
    super(`reading the binlog for ${schema}${options.at ? ` at ${options.at}` : ''}: ${message}`, options);
    this.schema = schema;
    this.at = options.at;
  }
}
