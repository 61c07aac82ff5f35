/** `--json` results of `capture install|remove|status` (cli/commands/capture.ts). */
import { z } from 'zod';
import { commandDocument } from './common.js';

/** A table capture leaves out, and why. */
const uncaptured = z.array(z.looseObject({ table: z.string(), why: z.string() }));

/** Which capture incremental syncs read. */
const method = z.enum(['triggers', 'binlog']);
/** Binlog capture: the live set's resume position and the binlog's position now (JSON text; null: none). */
const binlog = z.looseObject({ resume: z.string().nullable(), current: z.string().nullable() }).optional();

/** `capture install`. */
export const captureInstallResult = commandDocument(
  { method, captureId: z.int().nullable().describe('null with --method binlog (no trigger installation)'), captured: z.array(z.string()), uncaptured, binlog },
  'dualpipe capture install --json',
);
/** `capture remove`. */
export const captureRemoveResult = commandDocument({ triggers: z.int() }, 'dualpipe capture remove --json');
/** `capture status`. */
export const captureStatusResult = commandDocument(
  {
    method,
    binlog,
    installed: z.boolean(),
    captureId: z.int().nullable(),
    fingerprint: z.string().nullable(),
    captured: z.array(z.string()),
    uncaptured,
    pending: z.int(),
  },
  'dualpipe capture status --json',
);
