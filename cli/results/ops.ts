/** `--json` results of `check`, `doctor`, `grants` and `schedule` (cli/commands/check.ts, doctor.ts, grants.ts, schedule.ts). */
import { z } from 'zod';
import { commandDocument } from './common.js';

/** `check [--repair]`: every MyISAM table's health; a corrupt one left is `ok: false`. */
export const checkResult = commandDocument(
  {
    tables: z.array(
      z.looseObject({
        table: z.string(),
        kind: z.enum(['mirror', 'report']),
        health: z.string(),
        messages: z.array(z.string()),
        repair: z.string().optional(),
        verified: z.boolean().nullable().optional(),
      }),
    ),
  },
  'dualpipe check --json',
);

/** `doctor`: every check with its verdict; a failed check is `ok: false` (exit 1). */
export const doctorResult = commandDocument(
  {
    checks: z.array(
      z.looseObject({
        server: z.enum(['source', 'report']),
        name: z.string(),
        verdict: z.enum(['pass', 'warn', 'fail']),
        detail: z.string(),
        fix: z.string().optional(),
      }),
    ),
  },
  'dualpipe doctor --json',
);

/** `grants [--apply]`: the accounts and statements per server; generated passwords (with --apply, once). */
export const grantsResult = commandDocument(
  {
    applied: z.boolean(),
    capture: z.enum(['triggers', 'binlog']).describe('the change capture the sync account was planned for'),
    servers: z.array(z.looseObject({ server: z.enum(['both', 'source', 'report']), label: z.string(), accounts: z.array(z.looseObject({ role: z.string(), account: z.string() })) })),
    passwords: z.array(z.looseObject({ role: z.string(), user: z.string(), host: z.string(), password: z.string() })),
  },
  'dualpipe grants --json',
);

/** `schedule`: printed when it stops (SIGTERM/SIGINT): what ran. */
export const scheduleResult = commandDocument(
  { runs: z.int(), failures: z.int(), skipped: z.int(), idle: z.int().describe('firings of --incremental-every that found nothing changed') },
  'dualpipe schedule --json',
);
