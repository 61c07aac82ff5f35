/** The result of an archive run (`runArchive`), as the library returns it and `--json` prints it. */
import type { ThrottleStats } from '../../src/guard/throttle.js';
import type { Reconciled } from './reconcile.js';

/** Subjects kept because of one foreign key, with up to five example root keys. */
export interface KeptReport {
  foreignKey: string;
  /** The referencing (child) table of that key. */
  table: string;
  subjects: number;
  examples: string[];
}

/** What a run moving subjects between the source and the archive reports, either way. */
export interface MoveRunResult {
  dryRun: boolean;
  runId: string;
  sourceSchema: string;
  archiveSchema: string;
  root: string;
  chunks: number;
  /** Subjects (root rows) moved, or that would move. */
  subjects: number;
  tables: { table: string; rows: number }[];
  throttle: ThrottleStats;
}

/** What an archive run did (or, with dryRun, would do). */
export interface ArchiveResult extends MoveRunResult {
  keptSubjects: number;
  kept: KeptReport[];
  reconciled: Reconciled;
}

