/** The tables a backup dumps, read-locked: see `lockAndReadTables`. */
import type { SourceState } from '../../src/catalog/source-state.js';
import { discoverTables } from '../../src/catalog/discover-tables.js';
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import { DualpipeError } from '../../src/errors.js';
import { type BackupTableInput, chooseBackupTables, type SyncDetails } from './plan-backup.js';

/**
 * Chooses the tables and read-locks them: analysts keep reading, nothing (not even a stray
 * writer) changes a mirror mid-dump. Then reads each table's DDL and row count under the lock.
 */
export async function lockAndReadTables(session: SqlConnection, schema: string, includeReports: boolean, details: SyncDetails, state: SourceState): Promise<BackupTableInput[]> {
  const mirrors = await discoverTables(session, schema, { engine: 'MyISAM' });
  const chosen = chooseBackupTables(details, mirrors, { reportSchema: schema, ...(includeReports ? { includeReports: true } : {}) });
  await session.execute(`LOCK TABLES ${chosen.map((t) => `${qualify(schema, t.meta.name)} READ`).join(', ')}`);
  const inputs: BackupTableInput[] = [];
  for (const { meta, kind } of chosen) {
    const ddl =
      kind === 'mirror'
        ? state.ddl[meta.name]
        : (await session.query<Record<string, string>>(`SHOW CREATE TABLE ${qualify(schema, meta.name)}`))[0]?.['Create Table'];
    if (!ddl) throw new DualpipeError(`no DDL recorded for ${meta.name}`, { hint: 'run `dualpipe sync` again' });
    // MyISAM keeps an exact row count, so COUNT(*) costs nothing here.
    const count = await session.query<{ n: string | number }>(`SELECT COUNT(*) AS n FROM ${qualify(schema, meta.name)}`);
    inputs.push({ meta, kind, ddl, rows: Number(count[0]?.n ?? 0) });
  }
  return inputs;
}

