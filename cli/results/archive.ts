/** `--json` result of `archive` (cli/commands/archive.ts). */
import { z } from 'zod';
import { commandDocument, throttleStats } from './common.js';

/** `archive [--dry-run]`: rows per table moved (or that would move), subjects moved and kept, and why kept. */
export const archiveResult = commandDocument(
  {
    dryRun: z.boolean(),
    runId: z.string(),
    sourceSchema: z.string(),
    archiveSchema: z.string(),
    root: z.string(),
    chunks: z.int().min(0),
    subjects: z.int().min(0).describe('root rows moved with their dependents (or that would move)'),
    keptSubjects: z.int().min(0).describe('root rows kept because a live row references their subject'),
    tables: z.array(z.looseObject({ table: z.string(), rows: z.int().min(0) })),
    kept: z.array(z.looseObject({ foreignKey: z.string(), table: z.string(), subjects: z.int().min(0), examples: z.array(z.string()) })),
    reconciled: z.looseObject({ chunks: z.int().min(0), rows: z.int().min(0) }).describe('chunks a killed run left half done, and the uncommitted archive copies removed'),
    throttle: throttleStats,
  },
  'dualpipe archive --json',
);

/** `unarchive [--dry-run]`: rows per table brought back (or that would come back) from the archive. */
export const unarchiveResult = commandDocument(
  {
    dryRun: z.boolean(),
    runId: z.string(),
    sourceSchema: z.string(),
    archiveSchema: z.string(),
    root: z.string(),
    chunks: z.int().min(0),
    subjects: z.int().min(0).describe('archived root rows brought back with their dependents (or that would come back)'),
    tables: z.array(z.looseObject({ table: z.string(), rows: z.int().min(0) })),
    finished: z.looseObject({ chunks: z.int().min(0), rows: z.int().min(0) }).describe('chunks a killed run had committed, whose archive copies were removed now'),
    throttle: throttleStats,
  },
  'dualpipe unarchive --json',
);
