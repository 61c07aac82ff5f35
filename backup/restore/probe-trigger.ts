/**
 * A restore into a schema with change capture takes its triggers off for the swap and installs
 * them again after it. With the binary log on, creating a trigger needs SUPER unless
 * log_bin_trust_function_creators=1 (MySQL 8's default has the binlog on): an account without
 * that would swap the tables in and then fail to put capture back. So the restore first creates
 * and drops a trigger on its own staging table, before anything is loaded or swapped.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import { DualpipeError } from '../../src/errors.js';
import { existingTriggers } from '../../sync/capture/capture.js';

/**
 * When `target` has capture triggers, checks that this account may create a trigger, on `table` in
 * the staging schema, before anything is loaded or swapped; throws a DualpipeError with the fix
 * when it may not. The probe trigger is dropped again at once.
 */
export async function probeCaptureReinstall(conn: SqlConnection, target: string, staging: string, table: string): Promise<void> {
  if ((await existingTriggers(conn, target)).length === 0) return;
  const name = qualify(staging, '__dp_probe_trigger');
  try {
    await conn.execute(`CREATE TRIGGER ${name} BEFORE INSERT ON ${qualify(staging, table)} FOR EACH ROW SET @dualpipe_probe = 1`);
  } catch (error) {
    throw new DualpipeError(
      `this account cannot create triggers (${(error as Error).message}): the change-capture triggers of ${target} could not be installed again after the swap`,
      {
        cause: error,
        hint: 'set log_bin_trust_function_creators=1 (binary log on), grant TRIGGER (see `dualpipe grants`), or restore as a DBA; nothing was changed',
      },
    );
  }
  await conn.execute(`DROP TRIGGER ${name}`);
}
