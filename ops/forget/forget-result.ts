/** The result of `runForget`, as the library returns it and `--json` prints it. Never holds a key value or the --where text. */

/** Rows of one table erased (or, with dryRun, that would be) from the source and from the archive. */
export interface ForgetTableCount {
  table: string;
  source: number;
  archive: number;
}

/** Rows outside the subject that referenced it through an ON DELETE SET NULL key: their reference is nulled. */
export interface NulledReport {
  /** The foreign key's name. */
  foreignKey: string;
  /** The referencing table. */
  table: string;
  rows: number;
}

/** How the erasure reached the mirrors and reports. */
export interface ForgetPublish {
  /** `incremental` or `full`: the sync that published; `none` when nothing was pending. */
  sync: 'incremental' | 'full' | 'none';
  /** The sync's run id in the run history, when one ran. */
  syncRunId?: number | string;
  /** Ledger entries copied to the report side (`<report>__dualpipe`). */
  entriesCopied: number;
}

/** What a forget run did (or, with dryRun, would do). */
export interface ForgetResult {
  dryRun: boolean;
  sourceSchema: string;
  archiveSchema: string;
  /** False when the archive schema does not exist (nothing to erase there). */
  archiveChecked: boolean;
  root: string;
  /** Root rows erased from the source (or that would be). */
  subjects: number;
  /** Root rows erased from the archive. */
  archivedSubjects: number;
  /** Source transactions (chunks) committed. */
  chunks: number;
  tables: ForgetTableCount[];
  nulled: NulledReport[];
  /** Ids of the ledger entries this run appended. */
  ledgerEntries: string[];
  /** Id of the erasure key the hashes were made with (absent in a dry run without a key). */
  keyId?: string;
  /** True when the run found nothing to erase and nothing left to publish. */
  nothingToForget: boolean;
  publish: ForgetPublish;
}
