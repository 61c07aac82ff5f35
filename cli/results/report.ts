/** `--json` results of `report new`, `report list` and `report check` (cli/commands/report.ts). */
import { z } from 'zod';
import { commandDocument } from './common.js';

const problem = z.looseObject({ file: z.string(), line: z.int(), message: z.string() });

/** `report new NAME`: the table and the template file written. */
export const reportNewResult = commandDocument({ table: z.string(), file: z.string() }, 'dualpipe report new NAME --json');

/** `report list`: every report file of the set, and a note on the bundled CRM reports. */
export const reportListResult = commandDocument(
  {
    reports: z.array(
      z.looseObject({
        name: z.string(),
        title: z.string(),
        folder: z.string(),
        file: z.string(),
        mirrors: z.array(z.string()),
        incremental: z.boolean(),
        builtin: z.boolean(),
      }),
    ),
    note: z.string().optional(),
  },
  'dualpipe report list --json',
);

/** `report check [NAME]`: per report, rows built, the key check, EXPLAIN rows and problems by file and line. */
export const reportCheckResult = commandDocument(
  {
    problems: z.array(problem).optional(),
    reports: z.array(
      z.looseObject({
        ok: z.boolean(),
        report: z.string(),
        file: z.string(),
        rows: z.int().nullable(),
        key: z.looseObject({ columns: z.array(z.string()), duplicates: z.int(), nulls: z.int(), sample: z.array(z.string()) }).optional(),
        explain: z.array(z.array(z.looseObject({}))),
        problems: z.array(problem),
      }),
    ),
  },
  'dualpipe report check [NAME] --json',
);
