/**
 * Streaming below mysql2's row objects, on the callback-style connection under its promise API:
 * the subset of it used here is declared below rather than imported, so mysql2 stays imported by
 * mysql-driver.ts alone. `streamRawRows` hands each row's wire bytes to a sink; `rawTypeCast`
 * reads values as exact text or untouched bytes.
 */
import type { RawRowSink } from './connection.js';
import { installRowShortcut } from './row-packet-shortcut.js';

/** A column value as mysql2 offers it to a typeCast. */
export interface RawField {
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
export function rawTypeCast(field: RawField): string | Buffer | null {
  return BYTE_TYPES.has(field.type) ? field.buffer() : field.string();
}

/** The part of mysql2's callback-style connection that streaming uses. */
export interface RawConnection {
  query(options: {
    sql: string;
    values?: readonly unknown[];
    rowsAsArray: boolean;
    typeCast?: (field: RawField) => unknown;
  }): {
    stream(options: { highWaterMark: number }): AsyncIterable<unknown> & { destroy(error?: Error): void };
    on(event: string, listener: (...args: never[]) => void): unknown;
  };
  pause(): void;
  resume(): void;
}

/** What `streamRawRows` needs from the session that owns `raw`. */
export interface RawStreamHooks {
  /** Installs (or, with undefined, removes) the handler the session calls when its connection is lost. */
  onLost(handler: ((error: Error) => void) | undefined): void;
  /** Ends the session without a goodbye. */
  destroy(): void;
}

/**
 * Runs `sql` and yields the sink's blocks, pausing the socket while more than a few wait. A
 * consumer that stops early leaves rows on the wire, so the session is destroyed then.
 */
export async function* streamRawRows<T>(raw: RawConnection, sql: string, sink: RawRowSink<T>, session: RawStreamHooks): AsyncIterable<T> {
  let failed: Error | undefined;
  let done = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  // Set before the query: on a connection already closed, mysql2 reports it synchronously.
  session.onLost((error) => {
    failed ??= error;
    done = true;
    notify();
  });
  const query = raw.query({ sql, rowsAsArray: true });
  const ready: T[] = [];
  const MAX_WAITING = 4;
  const blocksReady = () => {
    ready.push(...sink.take());
    if (ready.length >= MAX_WAITING) raw.pause();
    notify();
  };
  const feed = (src: Buffer, start: number, end: number): boolean => {
    if (failed) return false;
    try {
      return sink.row(src, start, end);
    } catch (error) {
      failed = error as Error;
      return false;
    }
  };
  let shortcut: (() => void) | undefined;
  let first = true;
  // mysql2 builds a row parser once the column definitions are in; this one hands the row's
  // bytes to the sink instead. A throw inside mysql2's row handler would end the command while
  // the server still sends rows, so sink errors are kept here and the rest is drained. The first
  // row installs the shortcut (row-packet-shortcut.ts) for the rows after it.
  const parser = {
    next(packet: { buffer: Buffer; offset: number; end: number }): boolean {
      if (first) {
        first = false;
        shortcut = installRowShortcut(raw, (src, start, end) => {
          if (feed(src, start, end)) blocksReady();
        });
      }
      return feed(packet.buffer, packet.offset, packet.end);
    },
  };
  Object.defineProperty(query, '_rowParser', { get: () => parser, set: () => {}, configurable: true });
  query.on('result', (finished: unknown) => {
    if (finished === true) blocksReady();
  });
  query.on('error', (error: Error) => {
    shortcut?.();
    failed ??= error;
    done = true;
    notify();
  });
  query.on('end', () => {
    shortcut?.();
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
    shortcut?.();
    session.onLost(undefined);
    // A consumer that stopped early leaves rows on the wire: the session cannot be reused.
    if (!done) session.destroy();
  }
}
