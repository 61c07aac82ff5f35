/** The options and result of a merge restore (run-merge.ts). */
import type { SqlConnector } from '../../src/db/connection.js';
import type { ErasureKey } from '../../src/erasure/erasure-key.js';
import type { Logger } from '../../src/log/logger.js';
import type { BackupKey } from '../format/backup-key.js';
import type { WithheldRows } from './erasure-ledger-restore.js';

/** Options of `runMerge`. */
export interface MergeOptions {
  connector: SqlConnector;
  from: string;
  key?: BackupKey;
  /** The erasure key (`--erasure-key-file`): needed when the united erasure ledger is not empty. */
  erasureKey?: ErasureKey;
  target: string;
  where: string;
  threads?: number;
  /** Everything but the COMMIT: the counts are real, the transaction is rolled back. */
  dryRun?: boolean;
  waitForLockSeconds?: number;
  logger?: Logger;
}

/** What a merge did to one table. */
export interface MergeTableResult {
  table: string;
  /** Rows of the backup chosen by the filter or depending on them. */
  inBackup: number;
  inserted: number;
  /** Present now with the same content. */
  identical: number;
  /** Present now with other content: left as they are. */
  conflicts: number;
  conflictKeys: unknown[][];
}

/** What a merge did: rows inserted, identical and in conflict. */
export interface MergeResult {
  dryRun: boolean;
  backupDir: string;
  target: string;
  root: string;
  tables: MergeTableResult[];
  inserted: number;
  conflicts: number;
  /**
   * Chunk files read into the scratch schema. With a backup that records its chunks' key ranges,
   * only those that can hold the chosen rows and their dependents; with an older one, all.
   */
  chunksRead: number;
  /** Chunk files of the backup's mirror tables: what a merge without the key index reads. */
  chunksTotal: number;
  /**
   * Bytes of chunk files read: of the blocks chosen where chunks record their blocks (an
   * uncompressed, unencrypted backup of this version), else of the chunks read whole.
   */
  bytesRead: number;
  /** Whether the backup's key index chose the chunks (false: an older backup, read whole). */
  keyIndex: boolean;
  seconds: number;
  /** The scratch rows withheld because the erasure ledger names them; absent when the ledger is empty. */
  withheld?: WithheldRows;
}
