/**
 * Backups that still hold forgotten subjects (issue #18): `backup list` marks them and
 * `backup prune --forgotten` removes them. A complete backup is marked for every erasure known
 * anywhere (the live ledger of the source, or the ledger of any backup in the folder) that its own
 * ledger lacks, whatever the times: a backup taken before the erasure holds the subject, and so
 * can one taken after it, in the seconds between the erasure's commit on the source and its
 * publish (the mirrors, which backups dump, still held the subject, and the report-side ledger
 * did not have the entry yet). A backup taken after a subject was erased carries the entry. A
 * subject created after a backup and erased later marks that backup too: a harmless over-mark
 * (prune --forgotten only removes a marked backup when a newer unmarked one exists). A restore of a
 * marked backup still withholds those rows (erasure-ledger-restore.ts); marking is what lets the
 * DBA get rid of the copies themselves.
 */
import type { SqlConnector } from '../../src/db/connection.js';
import { internalSchemaOf } from '../../src/catalog/internal-schema.js';
import { readLedger } from '../../src/erasure/ledger.js';
import type { ManifestFile } from '../format/manifest.js';

/** One erasure as a backup's manifest (or the live ledger) knows it. */
export interface KnownErasure {
  id: string;
  erasedAt: string;
}

/** Per complete backup (by name), the ids of the erasures it still holds the subjects of; see the file comment. */
export function markForgotten(backups: readonly { name: string; manifest: ManifestFile | null }[], live: readonly KnownErasure[]): Map<string, string[]> {
  const known = new Set<string>();
  for (const e of [...live, ...backups.flatMap((b) => b.manifest?.erasureLedger?.erasures ?? [])]) known.add(e.id);
  const out = new Map<string, string[]>();
  for (const b of backups) {
    if (!b.manifest) continue;
    const own = new Set((b.manifest.erasureLedger?.erasures ?? []).map((e) => e.id));
    out.set(b.name, [...known].filter((id) => !own.has(id)));
  }
  return out;
}

/**
 * The erasures of the live ledger of `sourceSchema` (in `<source>__dualpipe`), for marking; none
 * when the server cannot be reached or has no ledger (the backups' own ledgers still mark).
 */
export async function readLiveErasures(connector: SqlConnector, sourceSchema: string): Promise<KnownErasure[]> {
  let conn;
  try {
    conn = await connector.connect({ database: null });
    return (await readLedger(conn, internalSchemaOf(sourceSchema))).entries.map((e) => ({ id: e.id, erasedAt: e.erasedAt }));
  } catch {
    return [];
  } finally {
    await conn?.close();
  }
}
