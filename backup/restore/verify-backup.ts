/**
 * `dualpipe backup verify DIR [--restore-test]`: tested recovery. Re-checks every chunk's size and
 * SHA-256; with a restore test, also restores the backup into a scratch schema (which checks row
 * counts, content checksums and foreign keys against the manifest), then drops it. The result is
 * written beside the manifest, for `backup list`.
 */
import { randomBytes } from 'node:crypto';
import type { SqlConnector } from '../../src/db/connection.js';
import type { Logger } from '../../src/log/logger.js';
import type { BackupKey } from '../format/backup-key.js';
import { writeVerification } from '../dump/inventory.js';
import { chunkTables, locateBackup, verifyChunks } from '../format/read-backup.js';
import { readLedgerFile } from '../format/ledger-file.js';
import { dropScratchRestore, runRestore } from './run-restore.js';

/** The outcome of `verifyBackup`. */
export interface VerifyBackupResult {
  dir: string;
  ok: boolean;
  chunks: number;
  bytes: number;
  restoreTest: { schema: string; rows: number; seconds: number } | null;
  message: string;
}

/** Re-checks every chunk of a backup; with a restore test, also restores it into a scratch schema. */
export async function verifyBackup(o: {
  dir: string;
  restoreTest?: { connector: SqlConnector; schemaPrefix: string; threads?: number };
  /** The key of an encrypted backup (its chunk list is sealed). */
  key?: BackupKey;
  logger?: Logger;
  clock?: () => Date;
}): Promise<VerifyBackupResult> {
  const clock = o.clock ?? (() => new Date());
  const located = await locateBackup(o.dir, o.key);
  const record = async (r: VerifyBackupResult) => {
    await writeVerification(located.dir, { at: clock().toISOString(), ok: r.ok, restoreTest: r.restoreTest !== null || !!o.restoreTest, message: r.message });
    return r;
  };
  let sums: { chunks: number; bytes: number };
  try {
    sums = await verifyChunks(located.dir, chunkTables(located.manifest));
    // The erasure ledger file: size, SHA-256 (and, encrypted, authentication) and its erasures against the manifest.
    if (located.manifest.erasureLedger) await readLedgerFile(located.dir, located.manifest.erasureLedger, o.key?.key);
  } catch (error) {
    await record({ dir: located.dir, ok: false, chunks: 0, bytes: 0, restoreTest: null, message: (error as Error).message });
    throw error;
  }
  if (!o.restoreTest) {
    return record({ dir: located.dir, ok: true, ...sums, restoreTest: null, message: 'every chunk matches its SHA-256' });
  }
  const schema = `${o.restoreTest.schemaPrefix}__dp_rtest_${randomBytes(3).toString('hex')}`.slice(0, 64);
  const t0 = Date.now();
  try {
    const r = await runRestore({
      connector: o.restoreTest.connector,
      from: located.dir,
      ...(o.key ? { key: o.key } : {}),
      target: schema,
      // The scratch copy is dropped unseen: it needs no erasure key, and leaves no ledger behind.
      ignoreErasures: true,
      threads: o.restoreTest.threads ?? 2,
      ...(o.logger ? { logger: o.logger } : {}),
    });
    return record({
      dir: located.dir,
      ok: true,
      ...sums,
      restoreTest: { schema, rows: r.rows, seconds: (Date.now() - t0) / 1000 },
      message: `restored ${r.rows} rows into ${schema}: counts, checksums and foreign keys match`,
    });
  } catch (error) {
    await record({ dir: located.dir, ok: false, ...sums, restoreTest: null, message: `restore test failed: ${(error as Error).message}` });
    throw error;
  } finally {
    const conn = await o.restoreTest.connector.connect({ database: null });
    try {
      await dropScratchRestore(conn, schema);
    } finally {
      await conn.close();
    }
  }
}
