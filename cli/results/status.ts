/** `--json` result of `status` and `status --check` (cli/commands/status.ts). */
import { z } from 'zod';
import { commandDocument, isoTime } from './common.js';

/** One run of the history. */
const run = z.looseObject({
  id: z.int(),
  kind: z.string(),
  status: z.string(),
  strategy: z.string().nullable(),
  startedAt: isoTime,
  finishedAt: isoTime.nullable(),
  seconds: z.number().nullable(),
  error: z.string().nullable(),
});

/** The pipeline's status (ops/status.ts PipelineStatus). */
const statusFields = {
  reportSchema: z.string(),
  now: isoTime,
  tables: z.array(z.looseObject({ table: z.string(), kind: z.enum(['mirror', 'report']), refreshedAt: isoTime.nullable(), ageSeconds: z.number().nullable() })),
  recentSyncs: z.array(run),
  lastBackup: run.extend({ dir: z.string().optional(), verified: z.boolean().nullable(), verifiedAt: isoTime.nullable() }).nullable(),
  lastVerify: run.extend({ ok: z.boolean(), drift: z.array(z.string()) }).nullable(),
  stale: z.array(z.string()),
  lastSyncAt: isoTime.nullable(),
  lastRuns: z.array(run),
  running: z.array(run),
  lockHolder: z.looseObject({}).nullable(),
  lastRestoreTest: run.nullable(),
  archive: z
    .looseObject({
      schema: z.string(),
      tables: z.array(z.looseObject({ table: z.string(), rows: z.int(), bytes: z.int() })),
      runs: z.array(z.looseObject({ kind: z.enum(['archive', 'unarchive']), runId: z.string(), startedAt: isoTime, finishedAt: isoTime.nullable(), chunks: z.int(), rows: z.int(), openChunks: z.int() })),
      openChunks: z.array(z.looseObject({ kind: z.enum(['archive', 'unarchive']), runId: z.string(), chunkNo: z.int(), since: isoTime })),
    })
    .nullable()
    .optional()
    .describe('the archive on the source server (null: none): rows and bytes per table, the last archive/unarchive runs, chunks a killed run left open'),
};

/** `status [--max-age]`: a stale table is `ok: false` (exit 3) with the status. */
export const statusResult = commandDocument(statusFields, 'dualpipe status --json');

/** `status --check`: the status (when it could be read) and the monitoring verdict; not OK is `ok: false`. */
export const statusCheckResult = commandDocument(
  {
    ...statusFields,
    check: z.looseObject({ code: z.int().min(0).max(3), summary: z.string() }),
  },
  'dualpipe status --check --json',
);
