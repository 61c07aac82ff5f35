/** `--json` result of `forget` (cli/commands/forget.ts). */
import { z } from 'zod';
import { commandDocument } from './common.js';

const count = z.int().min(0);

const publish = z.looseObject({
  sync: z.enum(['incremental', 'full', 'none']),
  syncRunId: z.union([z.int(), z.string()]).optional(),
  entriesCopied: count.describe('ledger entries copied to the report side'),
});

/** `forget [--dry-run]`: rows per table erased from source and archive, nulled references, ledger entries, the publish. Never a key value. */
export const forgetResult = commandDocument(
  {
    dryRun: z.boolean(),
    sourceSchema: z.string(),
    archiveSchema: z.string(),
    archiveChecked: z.boolean().describe('false when the archive schema does not exist'),
    root: z.string(),
    subjects: count.describe('root rows erased from the source (or that would be)'),
    archivedSubjects: count.describe('root rows erased from the archive'),
    chunks: count.describe('source transactions committed'),
    tables: z.array(z.looseObject({ table: z.string(), source: count, archive: count })),
    nulled: z.array(z.looseObject({ foreignKey: z.string(), table: z.string(), rows: count })).describe('rows outside the subject whose ON DELETE SET NULL reference was nulled'),
    ledgerEntries: z.array(z.string()).describe('ids of the erasure ledger entries this run appended'),
    keyId: z.string().optional().describe('id of the erasure key (never the key)'),
    nothingToForget: z.boolean(),
    publish,
  },
  'dualpipe forget --json',
);

const withheld = z.looseObject({ byTable: z.record(z.string(), count), matched: count.describe('rows the ledger names, found and deleted'), cascaded: count.describe('rows the foreign keys removed with them') });

/** `forget --reapply`: the ledger applied again to the live source and archive, then published. */
export const forgetReapplyResult = commandDocument(
  {
    sourceSchema: z.string(),
    entries: count.describe('erasures in the ledger'),
    source: withheld,
    archive: withheld.optional().describe('absent when there is no archive schema'),
    publish,
  },
  'dualpipe forget --reapply --json',
);
