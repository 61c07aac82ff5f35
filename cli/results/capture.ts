/** `--json` results of `capture install|remove|status` (cli/commands/capture.ts). */
import { z } from 'zod';
import { commandDocument } from './common.js';

/** A table capture leaves out, and why. */
const uncaptured = z.array(z.looseObject({ table: z.string(), why: z.string() }));

/** `capture install`. */
export const captureInstallResult = commandDocument(
  { captureId: z.int(), captured: z.array(z.string()), uncaptured },
  'dualpipe capture install --json',
);
/** `capture remove`. */
export const captureRemoveResult = commandDocument({ triggers: z.int() }, 'dualpipe capture remove --json');
/** `capture status`. */
export const captureStatusResult = commandDocument(
  {
    installed: z.boolean(),
    captureId: z.int().nullable(),
    fingerprint: z.string().nullable(),
    captured: z.array(z.string()),
    uncaptured,
    pending: z.int(),
  },
  'dualpipe capture status --json',
);
