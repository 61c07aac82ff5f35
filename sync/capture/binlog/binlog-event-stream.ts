/**
 * The only module that imports the binlog client (@vlasky/zongji, on mysql2). It opens a binlog dump
 * at a file/offset and turns the client's events into the few plain items the key reader needs,
 * with back-pressure: the socket pauses while items wait. Chosen over the alternatives because it
 * runs on mysql2 (as the rest of dualpipe), decodes MariaDB and MySQL GTID events and checksums,
 * and names what it cannot decode (compressed transactions, partial JSON) instead of dropping it.
 */
import ZongJi, { type AnyBinlogEvent, type RowData } from '@vlasky/zongji';
import type { ConnectionTarget } from '../../../src/db/connection.js';
import { tlsConnectionOptions } from '../../../src/db/tls-socket.js';

/** A row image as the client decoded it: column name to value (a column absent from a MINIMAL image is null). */
export type RowImage = RowData;

/** One binlog event, reduced to what key capture needs. `end` is the event's end offset in the current file (0 when the server does not say: MariaDB events inside a transaction). */
export type BinlogItem =
  | { kind: 'rotate'; file: string }
  | { kind: 'rows'; schema: string; table: string; op: 'insert' | 'delete'; rows: RowImage[]; end: number }
  | { kind: 'rows'; schema: string; table: string; op: 'update'; rows: { before: RowImage; after: RowImage }[]; end: number }
  | { kind: 'query'; schema: string; sql: string; end: number }
  | { kind: 'commit'; end: number }
  /** MySQL: the GTID of the transaction that follows. */
  | { kind: 'gtid'; uuid: string; tag: string; gno: number; end: number }
  | { kind: 'other'; end: number }
  | { kind: 'undecodable'; message: string }
  /** A table's columns changed after its rows were logged (or it is gone): its row images cannot be decoded. */
  | { kind: 'schema-changed'; message: string };

/** Where and what to read. */
export interface BinlogStreamOptions {
  target: ConnectionTarget;
  file: string;
  offset: number;
  /** Row events of other schemas and tables are dropped by the client before decoding (Query events all pass). */
  schema: string;
  tables: readonly string[];
  /**
   * The server id the dump announces. MySQL fact: a source drops an older dump thread that uses the
   * same server id, so two readers (or a real replica) must not share one: a random id by default.
   */
  serverId?: number;
}

/** An open binlog stream: iterate its items; close() ends the dump (safe to call twice). */
export interface BinlogStream extends AsyncIterable<BinlogItem> {
  close(): Promise<void>;
}

const HIGH_WATER = 256;
// The client's messages for event types it cannot decode (its unsupportedReason texts).
const UNDECODABLE = /compress|cannot be decoded|partial|PARTIAL_JSON|not supported/i;
// With binlog_row_metadata=MINIMAL the client decodes a row image with the columns information_schema
// lists NOW: a table altered (fewer columns) or dropped since the event was written fails here.
const SCHEMA_CHANGED = /schema changed between binlog event and metadata fetch|Insufficient permissions to access/i;

/** Opens a binlog dump at `file`/`offset` (see BinlogStreamOptions). Errors surface from the iterator. */
export function openBinlogStream(options: BinlogStreamOptions): BinlogStream {
  const t = options.target;
  const zongji = new ZongJi({
    ...(t.socketPath ? { socketPath: t.socketPath } : { host: t.host ?? '127.0.0.1', port: t.port ?? 3306 }),
    user: t.user,
    ...(t.password !== undefined ? { password: t.password } : {}),
    ...(tlsConnectionOptions(t) as object),
  });
  const queue: BinlogItem[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  let paused = false;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const push = (item: BinlogItem) => {
    queue.push(item);
    if (!paused && queue.length >= HIGH_WATER && zongji.connection) {
      paused = true;
      zongji.connection.pause();
    }
    notify();
  };
  zongji.on('binlog', (event: AnyBinlogEvent) => {
    const item = toItem(event);
    if (item) push(item);
  });
  zongji.on('error', (error: Error) => {
    if (SCHEMA_CHANGED.test(error.message)) push({ kind: 'schema-changed', message: error.message });
    else if (UNDECODABLE.test(error.message)) push({ kind: 'undecodable', message: error.message });
    else failure ??= error;
    notify();
  });
  zongji.start({
    serverId: options.serverId ?? 0x40000000 + Math.floor(Math.random() * 0x3fffffff),
    filename: options.file,
    position: options.offset,
    includeSchema: { [options.schema]: [...options.tables] },
  });

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((resolve) => {
      zongji.once('stopped', () => resolve());
      zongji.stop();
    }));
  return {
    close,
    async *[Symbol.asyncIterator]() {
      try {
        for (;;) {
          const item = queue.shift();
          if (item) {
            if (paused && queue.length < HIGH_WATER / 2 && zongji.connection) {
              paused = false;
              zongji.connection.resume();
            }
            yield item;
            continue;
          }
          if (failure) throw failure;
          await new Promise<void>((resolve) => (wake = resolve));
        }
      } finally {
        await close();
      }
    },
  };
}

function toItem(event: AnyBinlogEvent): BinlogItem | undefined {
  const end = event.nextPosition;
  switch (event.getTypeName()) {
    case 'Rotate':
      return { kind: 'rotate', file: (event as Extract<AnyBinlogEvent, { binlogName: string; position: number }>).binlogName };
    case 'TableMap':
      return undefined;
    case 'WriteRows':
    case 'DeleteRows': {
      const e = event as Extract<AnyBinlogEvent, { rows: RowData[] }>;
      const entry = e.tableMap[e.tableId];
      if (!entry) return undefined;
      if (entry.columnSchemas.length !== e.numberOfColumns) return drifted(entry.parentSchema, entry.tableName, e.numberOfColumns, entry.columnSchemas.length);
      const op = e.getTypeName() === 'WriteRows' ? 'insert' : 'delete';
      return { kind: 'rows', schema: entry.parentSchema, table: entry.tableName, op, rows: e.rows, end };
    }
    case 'UpdateRows': {
      const e = event as Extract<AnyBinlogEvent, { rows: { before: RowData; after: RowData }[] }>;
      const entry = e.tableMap[e.tableId];
      if (!entry) return undefined;
      if (entry.columnSchemas.length !== e.numberOfColumns) return drifted(entry.parentSchema, entry.tableName, e.numberOfColumns, entry.columnSchemas.length);
      return { kind: 'rows', schema: entry.parentSchema, table: entry.tableName, op: 'update', rows: e.rows, end };
    }
    case 'Query': {
      const e = event as Extract<AnyBinlogEvent, { query: string; schema: string }>;
      return { kind: 'query', schema: e.schema, sql: e.query, end };
    }
    case 'Xid':
      return { kind: 'commit', end };
    case 'Gtid': {
      const e = event as unknown as { sid?: string; tag?: string; gno?: number | string };
      if (e.sid === undefined || e.gno === undefined) return { kind: 'other', end };
      return { kind: 'gtid', uuid: e.sid, tag: e.tag ?? '', gno: Number(e.gno), end };
    }
    // Named here, in stream order, not only by the client's one-time 'error' (which may arrive after
    // the reader has passed its end position): their rows would be lost in silence.
    case 'TransactionPayload':
      return { kind: 'undecodable', message: 'a compressed transaction (binlog_transaction_compression=ON in its session): its rows cannot be decoded' };
    case 'PartialUpdateRows':
      return { kind: 'undecodable', message: 'a partial JSON update (binlog_row_value_options=PARTIAL_JSON): its keys cannot be decoded' };
    default:
      return { kind: 'other', end };
  }
}

/**
 * A row event whose column count differs from the metadata it was decoded with. Without
 * binlog_row_metadata=FULL the client names a logged row's columns by position from
 * information_schema as it is NOW; a column added since (ADD COLUMN ... FIRST) shifts every name, and
 * the "key" read would be another column's value. The client only refuses fewer columns; more are
 * refused here. (With FULL the event names its own columns and the counts always agree.)
 */
function drifted(schema: string, table: string, logged: number, now: number): BinlogItem {
  return { kind: 'schema-changed', message: `${schema}.${table} was logged with ${logged} columns and has ${now} now: altered after its rows were written` };
}

/** The iterator's next item, or a rejection with `timeout()` when none comes within `ms`; undefined at its end. */
export async function nextWithin<T>(it: AsyncIterator<T>, ms: number, timeout: () => Error): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const r = await Promise.race([it.next(), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(timeout()), ms)))]);
    return r.done ? undefined : r.value;
  } finally {
    clearTimeout(timer);
  }
}
