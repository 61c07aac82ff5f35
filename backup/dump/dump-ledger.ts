/**
 * A backup's erasure ledger: the report side's (`<report>__dualpipe`, copied there by each forget)
 * as it stood with the mirrors being dumped. Read under the sync lock, which forget holds too, and
 * before LOCK TABLES, which confines the session to the tables it locked.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { internalSchemaOf } from '../../src/catalog/internal-schema.js';
import { type ErasureLedger, readLedger } from '../../src/erasure/ledger.js';

export { writeLedgerFile } from '../format/ledger-file.js';

/** The report side's erasure ledger (empty when it has none). */
export function readReportLedger(session: SqlConnection, reportSchema: string): Promise<ErasureLedger> {
  return readLedger(session, internalSchemaOf(reportSchema));
}
