/** `--json` result of `restore` in all its modes (cli/commands/restore.ts). */
import { z } from 'zod';
import { commandDocument, isoTime, throttleStats } from './common.js';

/**
 * `restore --from|--from-mirrors` (replace; `dryRun` with `planText`), `--mode merge`
 * (`inserted`, `conflicts`), `--rollback` (`putBack`, `removed`) or `--drop-previous` (`dropped`):
 * every field but `ok` is optional, as the mode decides which are there.
 */
export const restoreResult = commandDocument(
  {
    dryRun: z.boolean().optional(),
    backupDir: z.string().optional(),
    backupFinishedAt: isoTime.optional(),
    syncRunId: z.int().optional(),
    target: z.string().optional(),
    previous: z.string().nullable().optional(),
    tables: z.union([z.array(z.looseObject({ table: z.string() })), z.int()]).optional(),
    skipped: z.array(z.looseObject({ table: z.string(), reason: z.string() })).optional(),
    replaced: z.array(z.string()).optional(),
    foreignKeysChecked: z.int().optional(),
    rows: z.int().optional(),
    bytes: z.int().optional(),
    seconds: z.number().optional(),
    notes: z.array(z.string()).optional(),
    planText: z.string().optional(),
    binlogReplay: z.string().optional(),
    throttle: throttleStats.optional(),
    sync: z.looseObject({ runId: z.int().nullable(), seconds: z.number() }).optional(),
    inserted: z.int().optional(),
    conflicts: z.int().optional(),
    restoredAt: isoTime.optional(),
    putBack: z.array(z.string()).optional(),
    removed: z.array(z.string()).optional(),
    dropped: z.boolean().optional(),
    withheld: z
      .looseObject({ erasures: z.int(), byTable: z.record(z.string(), z.int()), matched: z.int(), cascaded: z.int() })
      .describe('rows withheld because the erasure ledger names them (byTable, matched) or a cascade took them with such a row')
      .optional(),
    archive: z
      .looseObject({ schema: z.string(), tables: z.int(), rows: z.int(), previous: z.string().nullable() })
      .describe('`--archive`: the archive restored into <target>_archive (rows after withholding), and where the replaced archive went')
      .optional(),
  },
  'dualpipe restore --json',
);
