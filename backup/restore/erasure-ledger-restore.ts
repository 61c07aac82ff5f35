/**
 * No restore brings a forgotten subject back (issue #18): every restore path gathers the erasure
 * ledger, withholds the rows it names from its staging (or scratch) copy before that copy goes
 * live, and writes the ledger back to the target's live ledger. The ledger applied is the union of
 * the target server's live ledger (`<target>__dualpipe`, and the backup's source schema's when the
 * restore goes elsewhere on that server), the backup's own ledger file, and the ledger files of
 * every other backup in the same folder: an erasure recorded anywhere is withheld everywhere.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { internalSchemaOf } from '../../src/catalog/internal-schema.js';
import { discoverTables } from '../../src/catalog/discover-tables.js';
import type { SqlConnection } from '../../src/db/connection.js';
import { quoteId } from '../../src/db/quote.js';
import { UsageError } from '../../src/errors.js';
import type { ErasureKey } from '../../src/erasure/erasure-key.js';
import { appendErasure, assertLedgerKey, type ErasureLedger, readLedger, uniteLedgers } from '../../src/erasure/ledger.js';
import { ensureLedgerTables } from '../../src/erasure/ledger-tables.js';
import { withholdErased } from '../../src/erasure/withhold-erased.js';
import type { BackupKey } from '../format/backup-key.js';
import { readLedgerFile } from '../format/ledger-file.js';
import { MANIFEST_FILE, parseManifestFile } from '../format/manifest.js';
import type { LocatedBackup } from '../format/read-backup.js';
import { type Logger, silentLogger } from '../../src/log/logger.js';

/** What a restore withheld: the erasures applied, rows per table the ledger named, and rows cascades took with them. */
export interface WithheldRows {
  erasures: number;
  byTable: Record<string, number>;
  matched: number;
  cascaded: number;
}

const KEY_HINT = 'pass the erasure key the ledger was written with: --erasure-key-file FILE (or DUALPIPE_ERASURE_KEY_FILE)';

/**
 * The united ledger for a restore of `backup` into `target` (see the file comment). Another backup
 * of the folder encrypted under a key other than `key` cannot be read: it is skipped, with a note.
 */
export async function gatherLedger(admin: SqlConnection, backup: LocatedBackup, target: string, key?: BackupKey): Promise<{ ledger: ErasureLedger; notes: string[] }> {
  const m = backup.manifest;
  const notes: string[] = [];
  const parts = [await readLedger(admin, internalSchemaOf(target))];
  if (m.sourceSchema !== target) parts.push(await readLedger(admin, internalSchemaOf(m.sourceSchema)));
  if (m.erasureLedger) parts.push(await readLedgerFile(backup.dir, m.erasureLedger, key?.key));
  const root = dirname(backup.dir);
  const siblings = await readdir(root, { withFileTypes: true }).catch(() => []);
  for (const e of siblings.filter((x) => x.isDirectory() && x.name.startsWith('dualpipe-') && x.name !== basename(backup.dir))) {
    const dir = join(root, e.name);
    const other = await readFile(join(dir, MANIFEST_FILE), 'utf8')
      .then((t) => parseManifestFile(t, join(dir, MANIFEST_FILE)))
      .catch(() => undefined);
    if (!other?.erasureLedger || other.sourceSchema !== m.sourceSchema) continue;
    if (other.encryption && other.encryption.keyId !== key?.id) {
      notes.push(`erasure ledger of ${dir} not read: it is encrypted under key id ${other.encryption.keyId}`);
      continue;
    }
    // A damaged ledger in another backup does not stop this restore: the live ledger and the rest still apply.
    const theirs = await readLedgerFile(dir, other.erasureLedger, key?.key).catch((error: unknown) => {
      notes.push(`erasure ledger of ${dir} not read: ${(error as Error).message}`);
      return undefined;
    });
    if (theirs) parts.push(theirs);
  }
  return { ledger: uniteLedgers(...parts), notes };
}

/** Refuses (exit 2) a restore whose ledger is not empty without the erasure key, or with another key. */
export function requireErasureKey(ledger: ErasureLedger, key: ErasureKey | undefined): ErasureKey | undefined {
  if (ledger.entries.length === 0) return undefined;
  if (!key) throw new UsageError(`the erasure ledger holds ${ledger.entries.length} erasure${ledger.entries.length === 1 ? '' : 's'}: give --erasure-key-file FILE; nothing was changed`, { hint: KEY_HINT });
  assertLedgerKey(ledger.entries, key);
  return key;
}

/** A non-empty united ledger and the key to apply it with. */
export interface Erasures {
  ledger: ErasureLedger;
  key: ErasureKey;
}

/**
 * Gathers the ledger (notes logged) and checks the key, before anything is loaded or changed:
 * undefined when the ledger is empty, or for a dry run without a key (which then withholds nothing).
 */
export async function prepareErasures(
  admin: SqlConnection,
  backup: LocatedBackup,
  target: string,
  o: { key?: BackupKey; erasureKey?: ErasureKey; dryRun?: boolean; logger?: Logger },
): Promise<Erasures | undefined> {
  const { ledger, notes } = await gatherLedger(admin, backup, target, o.key);
  for (const note of notes) (o.logger ?? silentLogger).warn({ dir: backup.dir }, note);
  if (ledger.entries.length === 0 || (o.dryRun && !o.erasureKey)) return undefined;
  return { ledger, key: requireErasureKey(ledger, o.erasureKey)! };
}

/** Deletes from `schema` (a staging or scratch copy) every row the ledger names, children first; cascades counted. */
export async function withholdIn(admin: SqlConnection, schema: string, e: Erasures | undefined): Promise<WithheldRows | undefined> {
  if (!e) return undefined;
  // A merge's scratch tables are MyISAM where their DDL allows (load-merge-scratch.ts), staging tables InnoDB.
  const metas = new Map([...(await discoverTables(admin, schema)), ...(await discoverTables(admin, schema, { engine: 'MyISAM' }))].map((t) => [t.name, t]));
  return { erasures: e.ledger.entries.length, ...(await withholdErased(admin, schema, metas, e.ledger, e.key)) };
}

/**
 * Writes the united ledger into the live ledger of `target` (created when missing), so a restore
 * into a fresh server still knows every erasure. Entries are appended by id (idempotent); a backup
 * file keeps hashes per table, not per erasure, so the hashes the live ledger lacks are recorded
 * under the newest entry it lacked (what a restore needs is the hash, not which erasure made it).
 */
export async function writeBackLedger(admin: SqlConnection, target: string, ledger: ErasureLedger): Promise<number> {
  if (ledger.entries.length === 0) return 0;
  const schema = internalSchemaOf(target);
  await admin.execute(`CREATE DATABASE IF NOT EXISTS ${quoteId(schema)}`);
  await ensureLedgerTables(admin, schema, 'source');
  const live = await readLedger(admin, schema);
  const have = new Set(live.entries.map((e) => e.id));
  const missing = ledger.entries.filter((e) => !have.has(e.id));
  const hashes = new Map<string, string[]>();
  for (const [table, set] of ledger.hashes) {
    const known = live.hashes.get(table);
    const add = [...set].filter((h) => !known?.has(h));
    if (add.length) hashes.set(table, add);
  }
  const owner = missing.at(-1) ?? ledger.entries.at(-1)!;
  for (const e of missing) if (e !== owner) await appendErasure(admin, schema, e, new Map());
  await appendErasure(admin, schema, owner, hashes);
  return missing.length;
}
