/** `--json` results of `migrate` and `migrate --status` (cli/commands/migrate.ts). */
import { z } from 'zod';
import { commandDocument, isoTime } from './common.js';

/** `migrate` applies (`applied`, `alreadyApplied`); `migrate --status` lists (`migrations`). */
export const migrateResult = commandDocument(
  {
    schema: z.string(),
    applied: z.array(z.string()).optional(),
    alreadyApplied: z.array(z.string()).optional(),
    migrations: z.array(z.looseObject({ name: z.string(), applied: z.boolean(), appliedAt: isoTime.optional() })).optional(),
  },
  'dualpipe migrate [--status] --json',
);
