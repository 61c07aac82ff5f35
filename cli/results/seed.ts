/** `--json` result of `seed` (cli/commands/seed.ts). */
import { z } from 'zod';
import { commandDocument } from './common.js';

/** Rows loaded per table and in all. */
export const seedResult = commandDocument(
  {
    tables: z.array(z.looseObject({ table: z.string(), rows: z.int() })),
    rows: z.int(),
    seconds: z.number(),
    rowsPerSecond: z.number(),
  },
  'dualpipe seed --json',
);
