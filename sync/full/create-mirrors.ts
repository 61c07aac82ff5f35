/**
 * Creates the empty mirrors of a run under their temporary names, before any row is copied.
 * MyISAM keys are limited to 1000 bytes: MariaDB turns a longer UNIQUE key into a hash key and
 * cuts a longer plain index to a prefix by itself (the data stays whole), but no server can hold
 * a longer PRIMARY KEY (nor MySQL a longer UNIQUE key) in MyISAM. Such tables are refused by
 * name, all of them at once, and nothing is copied: the caller drops the temporary tables.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { StepError, type UnsupportedTable, UnsupportedTableError } from '../../src/errors.js';
import type { SyncPlan } from './plan-sync.js';

/** ER_TOO_LONG_KEY */
const TOO_LONG_KEY = 1071;

/**
 * Creates every mirror of the plan empty and runs its DISABLE KEYS; throws an UnsupportedTableError
 * naming every table whose key is too long for MyISAM (see the file header).
 */
export async function createMirrors(admin: SqlConnection, plan: Pick<SyncPlan, 'tables'>): Promise<void> {
  const tooLong: UnsupportedTable[] = [];
  for (const t of plan.tables) {
    try {
      await admin.execute(t.createSql);
    } catch (error) {
      if ((error as { errno?: number }).errno !== TOO_LONG_KEY) throw new StepError('creating the mirror', t.table, { cause: error });
      tooLong.push({
        table: t.table,
        reason: "a primary or unique key longer than MyISAM's 1000 bytes (e.g. utf8mb4 VARCHAR(255) is 1020): shorten the key's columns or use a narrower character set",
      });
      continue;
    }
    await admin.execute(t.disableKeysSql);
  }
  if (tooLong.length) throw new UnsupportedTableError(tooLong);
}
