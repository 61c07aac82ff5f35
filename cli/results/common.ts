/**
 * The building blocks of every command's `--json` document (README "JSON output"): the envelope
 * (`ok`, and `error` on failure) and the time type. Each command's result lives in its own file
 * in this folder; index.ts lists them all, and `npm run gen:json-schemas` writes their JSON Schemas
 * to schemas/json/ (shipped in the package).
 */
import { z } from 'zod';

/** A time: ISO 8601 with the zone (always `Z` from dualpipe; src/log/iso-time.ts). */
export const isoTime = z.iso.datetime({ offset: true });

/** `error` of a failed run (cli/json-output.ts). */
export const jsonError = z.object({
  code: z.string().describe('stable per error class: LOCK_BUSY, DRIFT, USAGE, MISSING_SCHEMA, CONNECTION, …'),
  message: z.string(),
  hint: z.string().nullable(),
  exitCode: z.int().min(0),
});

/** How long the run paused for its throttle. */
export const throttleStats = z.looseObject({ pauses: z.number(), pauseSeconds: z.number(), niceSeconds: z.number().optional() });

/**
 * The document of a command whose result has `fields`: `{ ok: true, ...fields }` on success, or
 * `{ ok: false, error, ...fields so far }` on failure (a drifted verify keeps its tables, a usage
 * error has none). Unknown fields are allowed: a field may be added, never removed or retyped.
 */
export function commandDocument<T extends z.ZodRawShape>(fields: T, description: string) {
  const result = z.looseObject(fields);
  return z
    .union([
      result.extend({ ok: z.literal(true) }),
      result.partial().extend({ ok: z.literal(false), error: jsonError }),
    ])
    .describe(description);
}
