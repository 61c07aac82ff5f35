/**
 * The rollback window of a restore: the replaced live tables wait in `<target>__dp_previous`
 * until the next restore or `--drop-previous`. `--rollback` swaps them back with one RENAME (the
 * restored tables go into a scratch schema that is then dropped). Both take the restore lock.
 */
import type { SqlConnection, SqlConnector } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { readServerInfo } from '../../src/db/server-info.js';
import { AbortedError, UsageError } from '../../src/errors.js';
import { acquireRunLock, lockName } from '../../src/lock/run-lock.js';
import { type Logger, silentLogger } from '../../src/log/logger.js';
import { publishTables } from '../../src/catalog/publish-tables.js';
import { withCaptureOff } from '../../sync/capture/capture.js';
import { RESTORE_INFO_TABLE, restoreSchemas } from './plan-restore.js';

/** What a restore recorded about itself in its previous schema. */
export interface RestoreInfo {
  backupDir: string;
  restoredAt: string;
  target: string;
  /** Every table the restore put into the target. */
  tables: string[];
  /** The live tables it moved into the previous schema. */
  replaced: string[];
}

/** Options of `rollbackRestore`. */
export interface RollbackOptions {
  connector: SqlConnector;
  target: string;
  waitForLockSeconds?: number;
  swapWaitMs?: number;
  /** Asked before the live tables are replaced; false cancels. */
  confirm?: (info: RestoreInfo) => boolean | Promise<boolean>;
  logger?: Logger;
}

async function baseTables(conn: SqlConnection, schema: string): Promise<Set<string>> {
  const rows = await conn.query<{ t: string }>(
    "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'",
    [schema],
  );
  return new Set(rows.map((r) => r.t));
}

/** The info of the last completed restore into `target`, or undefined when there is no rollback window. */
export async function readRestoreInfo(conn: SqlConnection, target: string): Promise<RestoreInfo | undefined> {
  const previous = restoreSchemas(target).previous;
  if (!(await baseTables(conn, previous)).has(RESTORE_INFO_TABLE)) return undefined;
  const rows = await conn.query<{ info: string }>(`SELECT info FROM ${qualify(previous, RESTORE_INFO_TABLE)} WHERE id = 1`);
  return rows[0] ? (JSON.parse(rows[0].info) as RestoreInfo) : undefined;
}

const noWindow = (target: string, why: string) =>
  new UsageError(`no rollback window for ${target}: ${why}`, {
    hint: 'a rollback is possible after a restore, until the next restore or --drop-previous',
  });

/** Puts the tables the last restore replaced back, with one RENAME; the restored tables are dropped. */
export async function rollbackRestore(o: RollbackOptions): Promise<{ target: string; restoredAt: string; removed: string[]; putBack: string[] }> {
  const log = o.logger ?? silentLogger;
  const s = restoreSchemas(o.target);
  const lock = await acquireRunLock(o.connector, lockName('restore', o.target), { waitSeconds: o.waitForLockSeconds ?? 0 });
  const admin = await o.connector.connect({ database: null });
  try {
    const info = await readRestoreInfo(admin, o.target);
    if (!info) throw noWindow(o.target, `${s.previous} holds no completed restore`);
    const live = await baseTables(admin, o.target);
    const kept = await baseTables(admin, s.previous);
    const gone = info.tables.filter((t) => !live.has(t));
    if (gone.length) throw noWindow(o.target, `restored table(s) ${gone.join(', ')} are no longer in ${o.target}`);
    const lost = info.replaced.filter((t) => !kept.has(t));
    if (lost.length) throw noWindow(o.target, `table(s) ${lost.join(', ')} are missing from ${s.previous}`);
    const triggers = await admin.query<{ t: string; n: string }>(
      'SELECT EVENT_OBJECT_TABLE AS t, TRIGGER_NAME AS n FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ?',
      [o.target],
    );
    // dualpipe's own change-capture triggers come off for the swap (withCaptureOff).
    const blocked = [...new Set(triggers.filter((r) => !r.n.startsWith('__dp_')).map((r) => r.t))].filter((t) => info.tables.includes(t));
    if (blocked.length)
      throw new UsageError(`${o.target}: table(s) ${blocked.join(', ')} have triggers and cannot move to another schema`, {
        hint: 'drop the triggers first',
      });
    const refs = await admin.query<{ s: string; t: string; name: string; to: string }>(
      `SELECT CONSTRAINT_SCHEMA AS s, TABLE_NAME AS t, CONSTRAINT_NAME AS name, REFERENCED_TABLE_NAME AS \`to\`
         FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE UNIQUE_CONSTRAINT_SCHEMA = ?`,
      [o.target],
    );
    const incoming = refs.filter((r) => info.tables.includes(r.to) && !(r.s === o.target && info.tables.includes(r.t)));
    if (incoming[0])
      throw new UsageError(
        `${incoming[0].s}.${incoming[0].t} has foreign key ${incoming[0].name} referencing ${o.target}.${incoming[0].to}, which the rollback would remove`,
        { hint: 'drop that foreign key first' },
      );
    if (o.confirm && !(await o.confirm(info))) throw new AbortedError('rollback cancelled: nothing was changed');
    await admin.execute(`DROP DATABASE IF EXISTS ${quoteId(s.scratch)}`);
    await admin.execute(`CREATE DATABASE ${quoteId(s.scratch)}`);
    const moves = [
      ...info.tables.map((t) => `${qualify(o.target, t)} TO ${qualify(s.scratch, t)}`),
      ...info.replaced.map((t) => `${qualify(s.previous, t)} TO ${qualify(o.target, t)}`),
      `${qualify(s.previous, RESTORE_INFO_TABLE)} TO ${qualify(s.scratch, RESTORE_INFO_TABLE)}`,
    ];
    await withCaptureOff(
      o.connector,
      admin,
      o.target,
      async () => {
        await publishTables(admin, [`RENAME TABLE ${moves.join(', ')}`], { flavor: (await readServerInfo(admin)).flavor, politeMs: o.swapWaitMs ?? 10_000, logger: log });
      },
      log,
    );
    log.info({ target: o.target, putBack: info.replaced.length }, 'rollback: swapped back');
    await admin.execute(`DROP DATABASE IF EXISTS ${quoteId(s.scratch)}`);
    if ((await baseTables(admin, s.previous)).size === 0) await admin.execute(`DROP DATABASE IF EXISTS ${quoteId(s.previous)}`);
    else log.warn({ schema: s.previous }, 'kept the previous schema: it holds tables dualpipe did not put there');
    return { target: o.target, restoredAt: info.restoredAt, removed: info.tables, putBack: info.replaced };
  } finally {
    await admin.close();
    await lock.release().catch(() => {});
  }
}

/** Drops the rollback window of `target` (the previous schema), if there is one. */
export async function dropPrevious(
  o: Pick<RollbackOptions, 'connector' | 'target' | 'waitForLockSeconds' | 'logger'>,
): Promise<{ previous: string; dropped: boolean; tables: number }> {
  const previous = restoreSchemas(o.target).previous;
  const lock = await acquireRunLock(o.connector, lockName('restore', o.target), { waitSeconds: o.waitForLockSeconds ?? 0 });
  const admin = await o.connector.connect({ database: null });
  try {
    const exists = await admin.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [previous]);
    if (exists.length === 0) return { previous, dropped: false, tables: 0 };
    const tables = (await baseTables(admin, previous)).size;
    await admin.execute(`DROP DATABASE ${quoteId(previous)}`);
    (o.logger ?? silentLogger).info({ schema: previous, tables }, 'dropped the previous schema (rollback window)');
    return { previous, dropped: true, tables };
  } finally {
    await admin.close();
    await lock.release().catch(() => {});
  }
}
