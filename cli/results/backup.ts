/** `--json` results of `backup`, `backup keygen|list|prune|verify` (cli/commands/backup.ts, backup-inventory.ts). */
import { z } from 'zod';
import { commandDocument, isoTime } from './common.js';

/** `backup`: the new folder, its totals, the sync it holds, the binlog position, the verified copies. */
export const backupResult = commandDocument(
  {
    dir: z.string(),
    tables: z.int(),
    rows: z.int(),
    bytes: z.int(),
    syncRunId: z.int(),
    binlog: z.looseObject({}).nullable().optional(),
    encrypted: z.boolean(),
    copies: z.array(z.looseObject({ dir: z.string(), chunks: z.int() })),
  },
  'dualpipe backup --json',
);

/** `backup keygen`. */
export const backupKeygenResult = commandDocument({ file: z.string(), id: z.string() }, 'dualpipe backup keygen --json');

/** `backup list`: every backup of the folder, newest last. */
export const backupListResult = commandDocument(
  {
    backups: z.array(
      z.looseObject({
        name: z.string(),
        dir: z.string(),
        complete: z.boolean(),
        at: isoTime,
        bytes: z.int(),
        tables: z.int().nullable(),
        rows: z.int().nullable(),
        syncRunId: z.int().nullable(),
        compression: z.string().nullable(),
        problem: z.string().nullable(),
        verification: z.looseObject({ at: isoTime, ok: z.boolean(), restoreTest: z.boolean(), message: z.string() }).nullable(),
        keyId: z.string().nullable(),
        forgotten: z.array(z.string()).describe('ids of the erasures whose subjects the backup still holds (`backup prune --forgotten`)'),
      }),
    ),
  },
  'dualpipe backup list --json',
);

/** A backup a prune keeps or removes, and why. */
const decision = z.array(z.looseObject({ name: z.string(), why: z.string() }));

/** `backup prune`. */
export const backupPruneResult = commandDocument({ keep: decision, remove: decision }, 'dualpipe backup prune --json');

/** `backup verify [--restore-test]`. */
export const backupVerifyResult = commandDocument(
  {
    dir: z.string(),
    chunks: z.int(),
    bytes: z.int(),
    restoreTest: z.looseObject({ schema: z.string(), rows: z.int(), seconds: z.number() }).nullable(),
    message: z.string(),
  },
  'dualpipe backup verify --json',
);
