/** `--json` results of `sync` (full, `--incremental`, `--dry-run`, `--verify`) and `verify` (cli/commands/sync.ts). */
import { z } from 'zod';
import { commandDocument, isoTime, throttleStats } from './common.js';

/** One compared table of a verify. */
const verifyTable = z.looseObject({
  table: z.string(),
  sourceRows: z.int(),
  mirrorRows: z.int(),
  chunksChecked: z.int(),
  chunksDiffering: z.int(),
  differingChunks: z.array(z.string()),
  missingMirror: z.boolean(),
  pendingKeys: z.int().optional(),
  driftKeys: z.int().optional(),
  driftSample: z.array(z.string()).optional(),
  problem: z.string().optional(),
});

/** The fields of a verify (on its own, or as `verify` of `sync --verify`). */
const verifyFields = {
  tables: z.array(verifyTable),
  seconds: z.number(),
  mode: z.enum(['capture', 'snapshot', 'sync']),
  pendingKeys: z.int(),
  driftKeys: z.int(),
};

/** `verify`: `ok` false (exit 3) on drift, with the tables. */
export const verifyResult = commandDocument(verifyFields, 'dualpipe verify --json');

/** `sync`: a full sync, an incremental one (`kind: incremental`), its dry run (`planText`), or `--verify`'s extra `verify`. */
export const syncResult = commandDocument(
  {
    kind: z.enum(['full', 'incremental']),
    runId: z.int().nullable(),
    dryRun: z.boolean(),
    strategy: z.string(),
    mode: z.string().optional(),
    startedAt: isoTime,
    finishedAt: isoTime.optional(),
    seconds: z.number().optional(),
    tables: z.array(z.looseObject({ table: z.string() })).optional(),
    reports: z.array(z.looseObject({ name: z.string(), rows: z.int(), seconds: z.number() })).optional(),
    notes: z.array(z.string()).optional(),
    planText: z.string().optional(),
    incremental: z.literal(true).optional(),
    fullSyncReason: z.string().optional(),
    cost: z.looseObject({}).optional(),
    changes: z.array(z.looseObject({ table: z.string() })).optional(),
    throttle: throttleStats.optional(),
    verify: z.looseObject({ ok: z.boolean(), ...verifyFields }).optional(),
  },
  'dualpipe sync [--incremental] [--dry-run] [--verify] --json',
);
