/**
 * Point-in-time recovery after a restore: the command that replays the source's binary log from a
 * backup's snapshot up to a chosen moment, for the source schema only. Pure.
 */

/** Where the replay starts, as the manifest records it (src/catalog/source-state.ts). */
export interface ReplayStart {
  file: string;
  position: number;
  gtid?: string;
}

/** What the replay command is built from; placeholders are printed for what is left out. */
export interface BinlogReplayOptions {
  /** The server's family: it decides the tools and, on MySQL, the GTID options. */
  flavor: 'mariadb' | 'mysql';
  start: ReplayStart;
  /** The source schema: only its changes are replayed. */
  schema: string;
  /** The binlog position just before the mistake (default: a placeholder). */
  stopPosition?: number;
  /** The binlog files to read, the start file first (default: the start file and a placeholder). */
  files?: readonly string[];
  /** The binlog reader and the client (default: the server's own names on PATH). */
  tools?: { binlog: string; client: string };
  /** Connection options for the client, e.g. `-h127.0.0.1 -P3306 -uroot` (default: `-u root`). */
  clientArgs?: string;
  /**
   * The erasure ledger is not empty: the restore withheld forgotten rows, so the binlog holds
   * changes to rows that are not there (and inserts of their children). The replay then runs in
   * idempotent mode, and `dualpipe forget --reapply` follows it (`reapply` is its argument text).
   */
  erasures?: { reapply?: string };
}

/**
 * The replay command (a shell pipeline). On MySQL with GTIDs the server being recovered has already
 * executed every GTID in its binlog: replayed with their GTIDs (SET @@SESSION.GTID_NEXT), every
 * transaction would be skipped in silence. So `--skip-gtids` runs them as new transactions, and
 * `--exclude-gtids` leaves out those the backup already holds (the replay starts at the beginning
 * of a file, before the snapshot). MariaDB's position is the snapshot's own: no GTID options.
 */
export function binlogReplayCommand(o: BinlogReplayOptions): string {
  const tools = o.tools ?? (o.flavor === 'mysql' ? { binlog: 'mysqlbinlog', client: 'mysql' } : { binlog: 'mariadb-binlog', client: 'mariadb' });
  const gtid = o.flavor === 'mysql' && o.start.gtid !== undefined ? ` --skip-gtids --exclude-gtids='${o.start.gtid}'` : '';
  const files = o.files ?? [o.start.file, '<later binlog files…>'];
  const client = `${tools.client} ${o.clientArgs ?? '-u root'}`;
  // MySQL: mysqlbinlog --idempotent starts the stream with SET SESSION RBR_EXEC_MODE=IDEMPOTENT. MariaDB
  // has no session form: its global slave_exec_mode=IDEMPOTENT also governs BINLOG statements, so the
  // stream sets it and puts STRICT back at its end. Either way a row event on a withheld row (or an
  // insert of its child, refused by its foreign key) is skipped row by row instead of stopping the replay.
  const idem = o.erasures && o.flavor === 'mysql' ? ' --idempotent' : '';
  const read = `${tools.binlog}${idem}${gtid} --database=${o.schema} --start-position=${o.start.position} --stop-position=${o.stopPosition ?? '<stop>'} ${files.join(' ')}`;
  if (!o.erasures) return `${read} | ${client}`;
  const stream = o.flavor === 'mysql' ? read : `{ echo "SET GLOBAL slave_exec_mode='IDEMPOTENT';"; ${read}; echo "SET GLOBAL slave_exec_mode='STRICT';"; }`;
  return `${stream} | ${client} && dualpipe forget --reapply ${o.erasures.reapply ?? '--erasure-key-file <erasure key file>'}`;
}
