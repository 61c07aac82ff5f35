/**
 * The archive's names, in the core so that every layer can reach them: `backup` (below ops/)
 * dumps the archive under the same lock `archive`, `unarchive` and `forget` hold.
 */
import { lockName } from './run-lock.js';

/**
 * The lock one archive run of `source` holds (GET_LOCK on the source server, where the rows move):
 * its own scope, so an archive never waits for a sync of the same data or the other way round.
 * Every writer of the archive schema holds it (archive, unarchive, forget, forget --reapply).
 */
export function archiveLockName(source: string): string {
  return lockName('archive', source);
}

/** The default archive schema of `source`: `<source>_archive`, on the source server. */
export function archiveSchemaOf(source: string): string {
  return `${source}_archive`;
}
