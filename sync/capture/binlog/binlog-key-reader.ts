/**
 * Reads which primary keys changed in a schema between two binlog positions. The keys of rows
 * inserted, updated (before AND after image: a key change moves the row) and deleted are kept per
 * table, never the rows: the sync re-reads the rows from its snapshot. `to` is a position read at
 * the start of a run (the next snapshot's low watermark); reading stops exactly there, so the next
 * run, reading from `to`, sees each later commit once.
 *
 * Server fact, measured (test/sync/capture/binlog): where InnoDB runs foreign keys (MariaDB 10.11,
 * MySQL before 9.6, or innodb_native_foreign_keys=ON) rows changed by ON DELETE/UPDATE CASCADE or
 * SET NULL are NOT in the binlog (MySQL bug #32506: the replica's InnoDB cascades itself); only the
 * parent's keys appear and the caller derives the children from the foreign-key graph
 * (derive-cascades.ts). MySQL 9.6+ runs foreign keys in the SQL layer by default
 * (innodb_native_foreign_keys=OFF) and then logs the cascaded child rows as row events of their own.
 * `cascadesLogged` says which; deriving anyway stays correct (a superset of keys).
 */
import type { SqlConnector } from '../../../src/db/connection.js';
import { type BinlogFallbackReason, checkBinlogReadable } from './binlog-checks.js';
import { BinlogReadError, BinlogRequestError } from './binlog-errors.js';
import { nextWithin, openBinlogStream } from './binlog-event-stream.js';
import { type KeyTuple, KeySets, addRowKeys } from './binlog-key-set.js';
import { type BinlogPosition, compareBinlogFiles, compareBinlogPositions } from './binlog-position.js';
import { findDdlAfter } from './binlog-ddl-after.js';
import { classifyQuery } from './binlog-statements.js';
import { gtidSetHas, parseGtidSet } from './gtid-set.js';

/** What to read. */
export interface ReadChangedKeysOptions {
  connector: SqlConnector;
  /** The source schema. */
  schema: string;
  /** Where the last run stopped (its `end`, or the position stored with the published generation). */
  from: BinlogPosition;
  /** Where to stop: a position read from the server, at a transaction boundary. */
  to: BinlogPosition;
  /** The captured tables; changes of other tables are ignored. */
  tables: readonly string[];
  /** Fail when no event arrives for this long before `to` is reached (default 30 s). */
  idleTimeoutMs?: number;
  /** The binlog dump's server id (default: random, see BinlogStreamOptions). */
  serverId?: number;
  /**
   * Per table, the non-key columns other tables' foreign keys reference: every update of such a
   * table counts its key as removed, like a key change (see addRowKeys).
   */
  referenced?: ReadonlyMap<string, readonly string[]>;
  /**
   * MySQL: the GTID set of the run's snapshot. The reader then also says where the next run may
   * resume (`resume`): the start of the first transaction in the range that the snapshot lacks, or
   * `to` when it holds them all (capture-snapshot.ts advanceResumePosition).
   */
  heldBy?: string;
  /** Stop as soon as more keys than this are held (the run will be a full sync): memory stays bounded. */
  maxKeys?: number;
}

/** The keys changed between two positions. */
export interface ChangedKeys {
  ok: true;
  /**
   * Per table with changes: its primary key columns, the distinct key tuples (in key-column order),
   * and those of them that may have lost rows referencing them: keys deleted, inserted (a key taken
   * again after a cascade removed it), changed, or whose referenced columns changed.
   */
  tables: Map<string, { primaryKey: string[]; keys: KeyTuple[]; removed: KeyTuple[] }>;
  /** Tables TRUNCATEd in the range: copy them whole (their keys are not in the binlog). */
  reload: string[];
  /** Where the read stopped: `to`. */
  end: BinlogPosition;
  /** With `heldBy`: where a reader resumes after a set built from that snapshot. */
  resume?: BinlogPosition;
  /** True when the server logs cascaded child rows (SQL-layer foreign keys, MySQL 9.6+); see the file header. */
  cascadesLogged: boolean;
}

/** The binlog cannot say what changed: run a full sync and record `reason`. */
export interface ChangedKeysFallback {
  ok: false;
  reason: BinlogFallbackReason;
}

/**
 * Reads the changed keys of `tables` in (`from`, `to`] (see the file header). Settings and a purged
 * start come back as a fallback reason, as do DDL and statement-logged DML on the schema and
 * undecodable (compressed) events; a broken stream throws BinlogReadError.
 */
export async function readChangedKeys(options: ReadChangedKeysOptions): Promise<ChangedKeys | ChangedKeysFallback> {
  const { connector, schema, from, to } = options;
  if (compareBinlogPositions(from, to) > 0) {
    throw new BinlogRequestError(schema, `end ${to.file}:${to.offset} lies before start ${from.file}:${from.offset}`);
  }
  const conn = await connector.connect({ database: null });
  let primaryKeys: Map<string, string[]>;
  let cascadesLogged: boolean;
  try {
    const reason = await checkBinlogReadable(conn, from, to);
    if (reason) return { ok: false, reason };
    primaryKeys = await readPrimaryKeys(conn, schema, options.tables);
    // Unknown variable (MariaDB, MySQL < 9.6): InnoDB runs the foreign keys.
    const native = await conn.query<{ v: number | string }>('SELECT @@GLOBAL.innodb_native_foreign_keys AS v').catch(() => null);
    cascadesLogged = native !== null && Number(native[0]?.v) === 0;
  } finally {
    await conn.close();
  }
  const held = options.heldBy ? parseGtidSet(options.heldBy) : null;
  let firstUnheld: BinlogPosition | null = null; // where the first transaction `heldBy` lacks starts
  const done = (keys: KeySets, reload: Set<string>): ChangedKeys => ({
    ok: true,
    tables: new Map([...keys.toMap()].map(([t, k]) => [t, { primaryKey: primaryKeys.get(t) ?? [], keys: k, removed: removedAll.toMap().get(t) ?? [] }])),
    reload: [...reload],
    end: to,
    cascadesLogged,
    ...(options.heldBy ? { resume: { ...(firstUnheld ?? { file: to.file, offset: to.offset }), skip: options.heldBy } } : {}),
  });
  const keys = new KeySets();
  const removedAll = new KeySets();
  const reload = new Set<string>();
  if (compareBinlogPositions(from, to) === 0) return done(keys, reload);

  const result = await readRange();
  // Keys were decoded with today's column metadata: a DDL after `to` may have renamed them (binlog-ddl-after.ts).
  if (!result.ok || result.tables.size === 0) return result;
  const late = await findDdlAfter({ connector, schema, tables: options.tables, from: to, idleTimeoutMs: options.idleTimeoutMs ?? 30_000 });
  return late ? { ok: false, reason: late } : result;

  async function readRange(): Promise<ChangedKeys | ChangedKeysFallback> {
    const stream = openBinlogStream({ target: connector.target, file: from.file, offset: from.offset, schema, tables: options.tables, ...(options.serverId ? { serverId: options.serverId } : {}) });
    const it = stream[Symbol.asyncIterator]();
    const idle = options.idleTimeoutMs ?? 30_000;
    let file = from.file;
    let lastCommit = `${from.file}:${from.offset}`;
    // Where the last event seen ended: the start of the next one (MySQL writes every event's end).
    let lastEnd: BinlogPosition = { file: from.file, offset: from.offset };
    // Keys of the open transaction: kept only when its commit lies at or before `to`. MariaDB writes
    // end offset 0 on the events inside a transaction, so only the commit tells where it lies.
    let pending = new KeySets();
    let pendingRemoved = new KeySets();
    let pendingReload = new Set<string>();
    // MySQL: transactions the start position's snapshot already holds are read past, unread
    // (their rows may predate a DDL that the snapshot reflects: decoding them would fail).
    const skip = from.skip ? parseGtidSet(from.skip) : null;
    let skipping = false;
    try {
      for (;;) {
        const item = await nextWithin(it, idle, () => new BinlogReadError(schema, `no binlog event for ${idle} ms before reaching ${to.file}:${to.offset}`, { at: lastCommit }));
        if (!item) throw new BinlogReadError(schema, 'the binlog stream ended', { at: lastCommit });
        if (item.kind === 'rotate') {
          if (compareBinlogFiles(item.file, to.file) > 0) return done(keys, reload);
          if (item.file !== file) lastEnd = { file: item.file, offset: 4 };
          file = item.file;
          continue;
        }
        if (item.kind === 'gtid') {
          skipping = skip !== null && gtidSetHas(skip, item.uuid, item.tag, item.gno);
          if (held && !firstUnheld && !gtidSetHas(held, item.uuid, item.tag, item.gno)) firstUnheld = lastEnd;
        }
        if ('end' in item && item.end > 0) lastEnd = { file, offset: item.end };
        if (skipping && (item.kind === 'rows' || item.kind === 'undecodable' || item.kind === 'schema-changed')) continue;
        if (item.kind === 'undecodable' || item.kind === 'schema-changed') return { ok: false, reason: { code: item.kind, detail: item.message } };
        if (item.kind === 'rows') {
          if (item.schema !== schema) continue;
          const pk = primaryKeys.get(item.table);
          if (!pk) continue;
          addRowKeys(pending, pendingRemoved, item, pk, options.referenced?.get(item.table) ?? []);
          // Each set counted apart (a key may be in both); tables to copy whole hold no keys for the run.
          if (options.maxKeys !== undefined && Math.max(keys.sizeExcept(reload), pending.sizeExcept(reload, pendingReload)) > options.maxKeys) {
            return { ok: false, reason: { code: 'too-many-keys', detail: `more than ${options.maxKeys} keys changed in the binlog: a full sync is cheaper` } };
          }
          continue;
        }
        // Every other event carries its end offset in `file` (0: unknown, inside a MariaDB transaction).
        const end = item.end;
        if (end > 0 && compareBinlogPositions({ file, offset: end }, to) > 0) return done(keys, reload);
        let commit = item.kind === 'commit';
        if (item.kind === 'query') {
          const classified = classifyQuery(item.sql, item.schema, schema, primaryKeys);
          const verdict = skipping && (classified.kind === 'full' || classified.kind === 'reload') ? ({ kind: 'ignore' } as const) : classified;
          if (verdict.kind === 'full') {
            const what = verdict.reason === 'ddl' ? 'DDL' : 'a statement-logged change (binlog_format=STATEMENT in that session)';
            const table = 'table' in verdict && verdict.table ? { table: verdict.table } : {};
            return { ok: false, reason: { code: verdict.reason, detail: `${what} on ${schema}: ${oneLine(item.sql)}`, ...table } };
          }
          if (verdict.kind === 'reload') for (const t of [verdict.table, verdict.with ?? verdict.table]) pendingReload.add(t);
          // A statement outside a transaction (TRUNCATE, DDL) commits itself. ROLLBACK in the binlog
          // ends a transaction whose non-transactional (MyISAM) changes did happen: keep them.
          commit = verdict.kind === 'commit' || (verdict.kind !== 'begin' && end > 0);
        }
        if (commit) {
          keys.merge(pending);
          removedAll.merge(pendingRemoved);
          for (const t of pendingReload) reload.add(t);
          pending = new KeySets();
          pendingRemoved = new KeySets();
          pendingReload = new Set();
          if (end > 0) lastCommit = `${file}:${end}`;
        }
        if (end > 0 && compareBinlogPositions({ file, offset: end }, to) === 0) return done(keys, reload);
      }
    } finally {
      await stream.close();
    }
  }
}

const oneLine = (sql: string) => {
  const s = sql.replace(/\s+/g, ' ').trim();
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
};

/** Primary-key columns per captured table, in key order; a table without one cannot be captured by key. */
async function readPrimaryKeys(conn: Awaited<ReturnType<SqlConnector['connect']>>, schema: string, tables: readonly string[]): Promise<Map<string, string[]>> {
  const rows = await conn.query<{ t: string; c: string }>(
    "SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND INDEX_NAME = 'PRIMARY' ORDER BY TABLE_NAME, SEQ_IN_INDEX",
    [schema],
  );
  const all = new Map<string, string[]>();
  for (const r of rows) {
    const cols = all.get(r.t) ?? [];
    cols.push(r.c);
    all.set(r.t, cols);
  }
  const missing = tables.filter((t) => !all.has(t));
  if (missing.length > 0) {
    throw new BinlogRequestError(schema, `no primary key on ${missing.join(', ')}`, { hint: 'binlog capture re-reads rows by primary key: exclude those tables or give them one' });
  }
  return new Map(tables.map((t) => [t, all.get(t)!]));
}
