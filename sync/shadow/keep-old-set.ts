/**
 * A full sync keeps the live set it replaces as the next shadow set, instead of dropping it, so
 * that the first incremental run after it need not copy every live table into the shadow set
 * (measured: a copy costs 0.83–0.93 of a full sync at scale 1). Binlog capture catches that set up
 * from the binlog (sync/incremental/catch-up-shadow.ts; the marker says `behindFull`); trigger
 * capture journals the keys the full sync consumed from the change log, with their cascades
 * (trigger-catch-up.ts), so the kept set is an ordinary shadow set one run behind. Kept only when
 * it can be built on:
 * - a whole swap (every table), and binlog capture with a resume position in the old set's marker,
 *   or trigger capture with the catch-up keys read in the full sync's snapshot;
 * - the old set is the last successful sync's, and its reports were built from the same
 *   definitions (report fingerprints) as now;
 * - every table is built again with the same definition (SHOW CREATE TABLE, AUTO_INCREMENT aside):
 *   a full sync after a DDL change, or after new report definitions, drops the old set as before.
 * Under binlog capture the kept set's marker says `behindFull`, so any run that cannot catch it up
 * copies afresh.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import { internalSchemaOf } from '../../src/catalog/internal-schema.js';
import { tempName } from '../../src/catalog/temp-names.js';
import type { Logger } from '../../src/log/logger.js';
import { lastSucceededSync } from '../../src/history/run-history.js';
import type { KeySet } from '../capture/change-log.js';
import { readCaptureMethod } from '../capture/capture-method.js';
import { ensureJournal, writeJournal } from './journal.js';
import { type Generation, GENERATION_TABLE, readGeneration, shadowName, writeGeneration } from './shadow-set.js';

/** One table the full sync publishes: its live name, and the name it was built under. */
export interface BuiltTable {
  live: string;
  temp: string;
}

async function createText(conn: SqlConnection, schema: string, table: string): Promise<string | null> {
  try {
    const rows = await conn.query<Record<string, string>>(`SHOW CREATE TABLE ${qualify(schema, table)}`);
    const text = rows[0]?.['Create Table'];
    return text === undefined ? null : text.replace(new RegExp('^CREATE TABLE `(?:[^`]|``)*`'), 'CREATE TABLE').replace(/ AUTO_INCREMENT=\d+/, '');
  } catch {
    return null;
  }
}

/**
 * Before the swap: the live set's generation when it may become the shadow set after it (see the
 * file header), else null.
 */
export async function keepableOldSet(
  admin: SqlConnection,
  reportSchema: string,
  o: { built: readonly BuiltTable[]; whole: boolean; reportHashes: Record<string, string>; catchUp: Map<string, KeySet> | null },
): Promise<Generation | null> {
  if (!o.whole) return null;
  const binlog = (await readCaptureMethod(admin, reportSchema)).method === 'binlog';
  const live = await readGeneration(admin, reportSchema, GENERATION_TABLE);
  if (!live || live.dirty || (binlog ? !live.binlog : !o.catchUp)) return null;
  const last = await lastSucceededSync(admin, reportSchema);
  if (!last || last.id !== live.runId) return null;
  const hashes = (last.details as { reportHashes?: Record<string, string> } | null)?.reportHashes ?? {};
  if (JSON.stringify(Object.entries(hashes).sort()) !== JSON.stringify(Object.entries(o.reportHashes).sort())) return null;
  for (const b of o.built) {
    const [was, now] = [await createText(admin, reportSchema, b.live), await createText(admin, reportSchema, b.temp)];
    if (was === null || was !== now) return null;
  }
  return live;
}

/**
 * After the swap (the old set now under `__dp_old_` names): renames it into the shadow set's
 * place, journals the trigger catch-up keys under the full sync's run id `runId` when given, and
 * writes its marker (`behindFull` without them: binlog capture). A failure leaves the old tables to
 * the drops that follow, and the next incremental run copies the shadow set afresh.
 */
export async function keepOldSetAsShadow(
  admin: SqlConnection,
  reportSchema: string,
  tables: readonly string[],
  old: Generation,
  o: { log: Logger; runId: number; catchUp: Map<string, KeySet> | null },
): Promise<boolean> {
  const internal = internalSchemaOf(reportSchema);
  try {
    await admin.execute(`RENAME TABLE ${tables.map((t) => `${qualify(reportSchema, tempName('old', t))} TO ${qualify(internal, shadowName(t))}`).join(', ')}`);
    if (o.catchUp) {
      await ensureJournal(admin, reportSchema);
      await writeJournal(admin, reportSchema, o.runId, o.catchUp);
    }
    // The marker last: a set without its marker is never used.
    await writeGeneration(admin, reportSchema, shadowName(GENERATION_TABLE), { runId: old.runId, dirty: false, binlog: old.binlog ?? null, ...(o.catchUp ? {} : { behindFull: true }) });
    return true;
  } catch (error) {
    o.log.warn({ err: (error as Error).message }, 'could not keep the replaced set as the shadow set: the next incremental run copies it afresh');
    return false;
  }
}

/**
 * Decides before the swap (keepableOldSet) and returns what to run right after it: the keep, or
 * nothing when the old set cannot be built on.
 */
export async function oldSetKeeper(
  admin: SqlConnection,
  reportSchema: string,
  o: {
    plan: { tables: readonly { table: string; temp: string }[]; reports: readonly { name: string; temp: string }[] };
    whole: boolean;
    reportHashes: Record<string, string>;
    log: Logger;
    runId: number;
    /** Trigger capture: the keys that catch the replaced set up (trigger-catch-up.ts), or null. */
    catchUp: Map<string, KeySet> | null;
  },
): Promise<() => Promise<void>> {
  const built = [...o.plan.tables.map((t) => ({ live: t.table, temp: t.temp })), ...o.plan.reports.map((r) => ({ live: r.name, temp: r.temp }))];
  const old = await keepableOldSet(admin, reportSchema, { ...o, built });
  if (!old) return () => Promise.resolve();
  return async () => {
    if (await keepOldSetAsShadow(admin, reportSchema, built.map((b) => b.live), old, o))
      o.log.info({ generation: old.runId }, `the replaced set is kept as the shadow set (${o.catchUp ? 'the journal' : 'the binlog'} catches it up)`);
  };
}
