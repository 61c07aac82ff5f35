/**
 * `dualpipe capture install|remove|status`: puts the change-capture triggers (capture-sql.ts) on
 * every source table. The installation row is written last: a sync whose snapshot sees it knows
 * every trigger existed at that moment, so no change after its snapshot can be missed.
 */
import type { SqlConnection, SqlConnector } from '../../src/db/connection.js';
import { withSession } from '../../src/db/with-session.js';
import type { Logger } from '../../src/log/logger.js';
import { qualify } from '../../src/db/quote.js';
import { DualpipeError } from '../../src/errors.js';
import { CAPTURE_TABLE, CHANGE_LOG_TABLE, captureTableDdl, changeLogDdl, triggerDdl, triggerName } from './capture-sql.js';
import { discoverTables } from '../../src/catalog/discover-tables.js';
import { changesChildren, type ForeignKey, readForeignKeys } from '../../src/catalog/foreign-keys.js';
import { createHash } from 'node:crypto';
import type { TableMeta } from '../../src/catalog/table-meta.js';
import { isNoSuchTable } from '../../src/db/no-such-table.js';

/** Whether change capture is installed, on which tables, and how many changes wait. */
export interface CaptureStatus {
  installed: boolean;
  /** SHA-256 of the trigger DDL installed: it no longer matches once keys or foreign keys change. */
  fingerprint: string | null;
  /** Id of the installation (changes with every install). */
  captureId: number | null;
  /** Source tables with a primary key and all three triggers. */
  captured: string[];
  /** Tables an incremental sync copies whole: no primary key, or triggers missing. */
  uncaptured: { table: string; why: string }[];
  /** Change-log rows not yet consumed by a sync. */
  pending: number;
}

/** Source tables a sync mirrors: dualpipe's own `__dp_` tables are never mirrored. */
export async function sourceTables(conn: SqlConnection, schema: string): Promise<TableMeta[]> {
  return (await discoverTables(conn, schema)).filter((t) => !t.name.startsWith('__dp_'));
}

/** dualpipe's triggers in `schema` (names beginning `__dp_`), with their tables. */
export async function existingTriggers(conn: SqlConnection, schema: string): Promise<{ name: string; table: string }[]> {
  return conn.query<{ name: string; table: string }>(
    `SELECT TRIGGER_NAME AS name, EVENT_OBJECT_TABLE AS \`table\` FROM information_schema.TRIGGERS
      WHERE TRIGGER_SCHEMA = ? AND TRIGGER_NAME LIKE '\\_\\_dp\\_%'`,
    [schema],
  );
}

/** Which tables are fully captured, from the trigger list. Pure. */
export function classifyCapture(
  tables: readonly TableMeta[],
  triggers: readonly { name: string; table: string }[],
): Pick<CaptureStatus, 'captured' | 'uncaptured'> {
  const have = new Set(triggers.map((t) => `${t.table}\u0000${t.name}`));
  const captured: string[] = [];
  const uncaptured: { table: string; why: string }[] = [];
  for (const t of tables) {
    if (t.primaryKey.length === 0) {
      uncaptured.push({ table: t.name, why: 'no primary key' });
      continue;
    }
    const missing = (['ins', 'upd', 'del'] as const).filter((e) => !have.has(`${t.name}\u0000${triggerName(t.name, e)}`));
    if (missing.length) uncaptured.push({ table: t.name, why: `trigger(s) missing: ${missing.join(', ')}` });
    else captured.push(t.name);
  }
  return { captured, uncaptured };
}

/** Reads the capture state; `captureId` is read with the caller's session (its snapshot, if any). */
export async function readCapture(conn: SqlConnection, schema: string, tables?: readonly TableMeta[]): Promise<CaptureStatus> {
  const present = await conn.query<{ n: string }>(
    `SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (?, ?)`,
    [schema, CHANGE_LOG_TABLE, CAPTURE_TABLE],
  );
  const metas = tables ?? (await sourceTables(conn, schema));
  const { captured, uncaptured } = classifyCapture(metas, await existingTriggers(conn, schema));
  if (present.length < 2) return { installed: false, fingerprint: null, captureId: null, captured, uncaptured, pending: 0 };
  // SELECT *: an installation table from before the fingerprint column reads as "no fingerprint".
  const id = (await conn.query<{ id: string | number | null; fingerprint?: string | null }>(
    `SELECT * FROM ${qualify(schema, CAPTURE_TABLE)} ORDER BY id DESC LIMIT 1`,
  )).map((r) => ({ id: r.id, f: r.fingerprint ?? null }));
  const pending = await conn.query<{ n: string | number }>(`SELECT COUNT(*) AS n FROM ${qualify(schema, CHANGE_LOG_TABLE)}`);
  const captureId = id[0]?.id === null || id[0]?.id === undefined ? null : Number(id[0].id);
  return { installed: captureId !== null, fingerprint: id[0]?.f ?? null, captureId, captured, uncaptured, pending: Number(pending[0]?.n ?? 0) };
}

/** The triggers of every table with a primary key, for the current keys and foreign keys. Pure. */
export function captureTriggers(schema: string, tables: readonly TableMeta[], fks: readonly ForeignKey[]): { name: string; sql: string }[] {
  const acting = fks.filter(changesChildren);
  return tables
    .filter((t) => t.primaryKey.length > 0)
    .flatMap((t) => triggerDdl(schema, t, [...new Set(acting.filter((f) => f.parent === t.name).flatMap((f) => f.referenced))]));
}

/**
 * SHA-256 of a set of trigger statements, in any order. Compared with the installed one, it tells
 * that keys or foreign keys changed since `capture install`.
 */
export function fingerprintOf(triggers: readonly { sql: string }[]): string {
  return createHash('sha256').update(triggers.map((t) => t.sql).sort().join('\n')).digest('hex');
}

async function dropTriggers(conn: SqlConnection, schema: string): Promise<number> {
  const triggers = await existingTriggers(conn, schema);
  for (const t of triggers) await conn.execute(`DROP TRIGGER IF EXISTS ${qualify(schema, t.name)}`);
  return triggers.length;
}

/** Installs (or reinstalls) the triggers on every source table with a primary key. */
export async function installCapture(conn: SqlConnection, schema: string): Promise<CaptureStatus> {
  const tables = await sourceTables(conn, schema);
  if (tables.length === 0) {
    throw new DualpipeError(`schema ${schema} has no InnoDB tables to capture`, { hint: 'run `dualpipe migrate` first' });
  }
  const fks = await readForeignKeys(conn, schema);
  await conn.execute(changeLogDdl(schema));
  await conn.execute(captureTableDdl(schema));
  const hasFingerprint = await conn.query(
    "SELECT 1 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME = 'fingerprint'",
    [schema, CAPTURE_TABLE],
  );
  if (hasFingerprint.length === 0) {
    await conn.execute(`ALTER TABLE ${qualify(schema, CAPTURE_TABLE)} ADD COLUMN fingerprint CHAR(64) NOT NULL DEFAULT ''`);
  }
  // A reinstall first removes the installation row: syncs in between fall back to full ones.
  await conn.execute(`DELETE FROM ${qualify(schema, CAPTURE_TABLE)}`);
  await dropTriggers(conn, schema);
  const triggers = captureTriggers(schema, tables, fks);
  for (const trg of triggers) await conn.execute(trg.sql);
  await conn.execute(`INSERT INTO ${qualify(schema, CAPTURE_TABLE)} (installed_at, tables, fingerprint) VALUES (UTC_TIMESTAMP(6), ?, ?)`, [
    tables.filter((t) => t.primaryKey.length).map((t) => t.name).join(','),
    fingerprintOf(triggers),
  ]);
  return readCapture(conn, schema, tables);
}

/** Removes the triggers and the log; incremental syncs fall back to full ones. */
export async function removeCapture(conn: SqlConnection, schema: string): Promise<{ triggers: number }> {
  const triggers = await dropTriggers(conn, schema);
  await conn.execute(`DROP TABLE IF EXISTS ${qualify(schema, CAPTURE_TABLE)}`);
  await conn.execute(`DROP TABLE IF EXISTS ${qualify(schema, CHANGE_LOG_TABLE)}`);
  return { triggers };
}

/**
 * Takes the capture installation row away (before triggers are dropped for a restore's swap): a
 * sync starting meanwhile sees no installation and runs a full sync instead of trusting a log
 * that misses writes.
 */
export async function invalidateCapture(conn: SqlConnection, schema: string): Promise<void> {
  try {
    await conn.execute(`DELETE FROM ${qualify(schema, CAPTURE_TABLE)}`);
  } catch (error) {
    if (!isNoSuchTable(error)) throw error; // nothing installed
  }
}

/**
 * Runs a swap that moves tables between schemas (a restore, a rollback). A table with triggers
 * cannot move to another schema, so dualpipe's capture triggers come off for it: the installation
 * row first (a sync starting meanwhile runs a full sync rather than trust the log), then the
 * triggers; afterwards capture is installed again under a new id, so that the next incremental
 * sync knows the mirrors are stale and runs a full one. The reinstall uses a session of its own.
 */
export async function withCaptureOff<T>(
  connector: SqlConnector,
  admin: SqlConnection,
  schema: string,
  swap: () => Promise<T>,
  log?: Logger,
): Promise<T> {
  const triggers = await existingTriggers(admin, schema);
  if (!triggers.length) return swap();
  await invalidateCapture(admin, schema);
  for (const t of triggers) await admin.execute(`DROP TRIGGER IF EXISTS ${qualify(schema, t.name)}`);
  log?.info({ triggers: triggers.length }, 'change-capture triggers taken off for the swap');
  try {
    return await swap();
  } finally {
    await withSession(connector, (c) => installCapture(c, schema));
    log?.info({ schema }, 'change capture installed again (the next sync is a full one)');
  }
}
