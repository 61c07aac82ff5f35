/** `--json` result of `archive` (cli/commands/archive.ts). */
import { z } from 'zod';
import { commandDocument, throttleStats } from './common.js';

/** The fields an archive and an unarchive report alike. */
const moveRun = {
  dryRun: z.boolean(),
  runId: z.string(),
  sourceSchema: z.string(),
  archiveSchema: z.string(),
  root: z.string(),
  chunks: z.int().min(0),
  tables: z.array(z.looseObject({ table: z.string(), rows: z.int().min(0) })),
  throttle: throttleStats,
};

/** `archive [--dry-run]`: rows per table moved (or that would move), subjects moved and kept, and why kept. */
export const archiveResult = commandDocument(
  {
    ...moveRun,
    subjects: z.int().min(0).describe('root rows moved with their dependents (or that would move)'),
    keptSubjects: z.int().min(0).describe('root rows kept because a live row references their subject'),
    kept: z.array(z.looseObject({ foreignKey: z.string(), table: z.string(), subjects: z.int().min(0), examples: z.array(z.string()) })),
    reconciled: z.looseObject({ chunks: z.int().min(0), rows: z.int().min(0) }).describe('chunks a killed run left half done, and the uncommitted archive copies removed'),
  },
  'dualpipe archive --json',
);

/** `unarchive [--dry-run]`: rows per table brought back (or that would come back) from the archive. */
export const unarchiveResult = commandDocument(
  {
    ...moveRun,
    subjects: z.int().min(0).describe('archived root rows brought back with their dependents (or that would come back)'),
    finished: z.looseObject({ chunks: z.int().min(0), rows: z.int().min(0) }).describe('chunks a killed run had committed, whose archive copies were removed now'),
  },
  'dualpipe unarchive --json',
);
