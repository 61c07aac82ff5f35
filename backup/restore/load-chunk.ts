/**
 * Loads backup chunks into the staging schema with `LOAD DATA LOCAL INFILE`, streamed from the
 * file (decompressed on the way), on a few sessions in parallel. A table's checks and deferred index
 * build run as soon as its last chunk is in, ahead of the remaining chunks.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { allowUncheckedRows } from '../../src/db/check-constraints.js';
import { allowKeylessTables } from '../../src/db/keyless-tables.js';
import type { SqlConnection, SqlConnector } from '../../src/db/connection.js';
import { BackupError, DamagedDataError, DualpipeError, StepError } from '../../src/errors.js';
import { decryptChunk } from '../format/chunk-cipher.js';
import { decompressStage } from '../format/chunk-compression.js';
import type { LoadStep, RestoreTablePlan } from './plan-restore.js';
import { harmlessLoadWarnings } from './load-warnings.js';

/** Without a recorded size (older backups), a gzip chunk is capped at deflate's largest ratio. */
const DEFLATE_MAX_RATIO = 1032;

/** Fails the stream once more than `limit` bytes came out: a decompression bomb stops here. */
function capBytes(limit: number, file: string): Transform {
  let seen = 0;
  return new Transform({
    transform(block: Buffer, _enc, cb) {
      seen += block.length;
      if (seen > limit) return cb(new BackupError(file, `expands past the ${limit} bytes of lines its manifest records: refused (damaged, or a decompression bomb)`));
      cb(null, block);
    },
  });
}

/**
 * A loading session in the staging schema. foreign_key_checks=0: tables load in any order and the
 * orphan check afterwards is what guarantees the keys; unique_checks=0 lets InnoDB buffer
 * secondary index changes; NO_AUTO_VALUE_ON_ZERO keeps an id of 0; UTC so TIMESTAMP text loads
 * as the UTC text it was dumped as.
 */
export async function openLoadSession(connector: SqlConnector, staging: string): Promise<SqlConnection> {
  const conn = await connector.connect({ database: staging });
  try {
    await conn.execute(
      "SET SESSION foreign_key_checks = 0, unique_checks = 0, sql_mode = 'NO_AUTO_VALUE_ON_ZERO', time_zone = '+00:00'",
    );
    await allowUncheckedRows(conn);
    await allowKeylessTables(conn);
  } catch (error) {
    await conn.close();
    throw error;
  }
  return conn;
}

/**
 * The chunk's lines as LOAD DATA reads them: read, decrypted (each segment authenticated before
 * it is passed on), decompressed, capped at the size the manifest records. Any error fails the
 * statement, which fails the restore before its swap.
 */
function chunkStream(path: string, step: LoadStep, key: Buffer | undefined): Readable {
  const stages: NodeJS.ReadWriteStream[] = [];
  if (key) stages.push(decryptChunk(key, step.file));
  const unpack = decompressStage(step.compression, step.file);
  if (unpack) stages.push(unpack);
  const limit = step.rawBytes ?? (step.compression === 'gzip' ? step.bytes * DEFLATE_MAX_RATIO + 1024 * 1024 : undefined);
  if (limit !== undefined) stages.push(capBytes(limit, step.file));
  const file = createReadStream(path, { highWaterMark: 256 * 1024 });
  if (stages.length === 0) return file;
  const last = stages[stages.length - 1] as Transform;
  pipeline([file, ...stages]).catch((error: unknown) => last.destroy(error as Error));
  return last;
}

/** MySQL 8 says 3948 (ER_CLIENT_LOCAL_FILES_DISABLED); MariaDB and older MySQL say 1148. */
function isLocalInfileDisabled(error: unknown): boolean {
  const e = error as { errno?: number; message?: string };
  return e?.errno === 3948 || e?.errno === 1148 || /local (data|infile).*disabled|command is not allowed/i.test(e?.message ?? '');
}

/**
 * Loads one chunk. LOAD DATA LOCAL turns bad values and duplicate keys into warnings and skipped
 * rows instead of errors, so a short row count or any warning but the harmless ones
 * (load-warnings.ts) fails the chunk.
 */
export async function loadChunk(conn: SqlConnection, dir: string, step: LoadStep, key?: Buffer): Promise<number> {
  const phase = `restore of chunk ${step.file}`;
  let result;
  try {
    result = await conn.loadInfile(step.sql, () => chunkStream(join(dir, step.file), step, key));
  } catch (error) {
    if (isLocalInfileDisabled(error))
      throw new DualpipeError('the server refuses LOAD DATA LOCAL INFILE', {
        cause: error,
        hint: 'enable it with `SET GLOBAL local_infile=1` (MySQL 8 defaults to OFF), or start the server with --local-infile=1',
      });
    // The chunk itself is bad (fails authentication, expands too far): that names its file already.
    if (error instanceof DamagedDataError) throw error;
    throw new StepError(phase, step.table, { cause: error });
  }
  if (result.warningStatus > 0 || result.affectedRows !== step.rows) {
    const w = await conn.query<{ Level: string; Code: number; Message: string }>('SHOW WARNINGS').catch(() => []);
    if (result.affectedRows === step.rows && harmlessLoadWarnings(w, result.warningStatus, step.indexColumns)) return result.affectedRows;
    const first = w[0] ? `; first warning: ${w[0].Level} ${w[0].Code} ${w[0].Message}` : '';
    throw new StepError(phase, step.table, {
      detail: `loaded ${result.affectedRows} of ${step.rows} rows with ${result.warningStatus} warning(s)${first}`,
    });
  }
  return result.affectedRows;
}

/** A unit of work for one session. */
export type Task = (conn: SqlConnection) => Promise<void>;

/** A task that never runs at the same time as another task of its group. */
export interface GroupedTask {
  run: Task;
  group?: string;
}

/**
 * Runs tasks on the given sessions, one task per session at a time, in order, except that a task
 * whose group is busy is passed over for the next one; `urgent` tasks (pushed while running) go
 * first. The first failure stops the hand-out of further tasks and is thrown once all sessions
 * are idle.
 */
export function runOnSessions(
  sessions: readonly SqlConnection[],
  tasks: readonly (Task | GroupedTask)[],
  throwIfAborted: () => void = () => {},
): { pushUrgent(task: Task): void; done: Promise<void> } {
  const queue: GroupedTask[] = tasks.map((t) => (typeof t === 'function' ? { run: t } : t));
  const urgent: GroupedTask[] = [];
  const busy = new Set<string>();
  let running = 0;
  let failed: { error: unknown } | undefined;
  let waiters: (() => void)[] = [];
  const wakeAll = () => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  const take = (): GroupedTask | undefined => {
    if (urgent.length) return urgent.shift();
    const i = queue.findIndex((q) => q.group === undefined || !busy.has(q.group));
    return i < 0 ? undefined : queue.splice(i, 1)[0];
  };
  const worker = async (conn: SqlConnection) => {
    while (!failed) {
      const task = take();
      if (!task) {
        // Nothing free now: wait while others run (their completion may free a group or push work).
        if (running === 0) return wakeAll();
        await new Promise<void>((resolve) => waiters.push(resolve));
        continue;
      }
      running++;
      if (task.group !== undefined) busy.add(task.group);
      try {
        throwIfAborted();
        await task.run(conn);
      } catch (error) {
        failed ??= { error };
      } finally {
        running--;
        if (task.group !== undefined) busy.delete(task.group);
        wakeAll();
      }
    }
    wakeAll();
  };
  // Workers start on the next microtask, so the caller holds pushUrgent before any task runs.
  const done = Promise.resolve()
    .then(() => Promise.all(sessions.map(worker)))
    .then(() => {
      if (failed) throw failed.error;
    });
  return {
    pushUrgent: (task: Task) => {
      urgent.push({ run: task });
      wakeAll();
    },
    done,
  };
}

/**
 * What `loadTables` needs: the sessions to load on, the backup folder and the planned tables, and
 * what to do as each table completes.
 */
export interface LoadTablesOptions {
  /** One task runs per session at a time: their number is the restore's parallelism. */
  sessions: readonly SqlConnection[];
  dir: string;
  tables: readonly RestoreTablePlan[];
  /**
   * Checks and index build of one table, run as soon as its last chunk is loaded; may return more
   * work that became possible (it runs ahead of the remaining chunks).
   */
  finishTable: (conn: SqlConnection, table: RestoreTablePlan, loadSeconds: number) => Promise<Task[] | void>;
  /** Hears the row count of each loaded chunk, for progress. */
  onRows?: (table: string, rows: number) => void;
  /** The backup's AES-256 key when its chunks are encrypted. */
  key?: Buffer;
  /** Called before each task; throws to stop the load (an interrupted restore). */
  throwIfAborted?: () => void;
  /** Waits while the target server is too busy (the run's throttle); called before each chunk. */
  pace?: () => Promise<void>;
}

/** Loads every chunk (largest tables first) and finishes each table as soon as it is complete. */
export async function loadTables(o: LoadTablesOptions): Promise<void> {
  const started = Date.now();
  const remaining = new Map(o.tables.map((t) => [t.name, t.loads.length]));
  const byName = new Map(o.tables.map((t) => [t.name, t]));
  const finish = (t: RestoreTablePlan) => async (conn: SqlConnection) => {
    const more = await o.finishTable(conn, t, (Date.now() - started) / 1000);
    for (const task of more ?? []) runner.pushUrgent(task);
  };
  const tasks: GroupedTask[] = o.tables.filter((t) => t.loads.length === 0).map((t) => ({ run: finish(t) }));
  // One session per table at a time, chunks in key order: on MariaDB two LOADs into the same empty
  // InnoDB table deadlock (its bulk insert locks the table, LOAD takes the AUTO-INC lock), and with
  // innodb_autoinc_lock_mode=1 they would only wait for each other anyway. Tables run in parallel.
  for (const t of o.tables)
    for (const step of t.loads)
      tasks.push({
        group: t.name,
        run: async (conn) => {
          await o.pace?.();
          o.throwIfAborted?.();
          const rows = await loadChunk(conn, o.dir, step, o.key);
          o.onRows?.(step.table, rows);
          const left = remaining.get(step.table)! - 1;
          remaining.set(step.table, left);
          if (left === 0) runner.pushUrgent(finish(byName.get(step.table)!));
        },
      });
  const runner = runOnSessions(o.sessions, tasks, o.throwIfAborted);
  await runner.done;
}
