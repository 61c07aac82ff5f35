import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { SSL_MODES, sslModeOf } from './tls-params.js';
import { parseLoadLimits } from '../guard/throttle-limits.js';

const cronText = z.string().min(1);
const tableList = z.array(z.string().min(1).max(64));

/** `Status_var=N[,…]` as the throttle flags take it; the message is the flag parser's one line. */
const loadLimits = (key: string) =>
  z.string().superRefine((v, ctx) => {
    try {
      parseLoadLimits(v, key);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

/** TLS for one connection, as in the URL: the mode and the paths of the PEM files. */
const tlsEntry = z
  .object({
    mode: z
      .string()
      .refine((v) => sslModeOf(v) !== undefined, { message: `use one of ${SSL_MODES.join(', ')}` })
      .optional(),
    ca: z.string().min(1).optional(),
    cert: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
  })
  .strict();

/** The config file's shape. Unknown keys are refused so that typos do not pass silently. */
export const configFileSchema = z
  .object({
    source: z.string().min(1).optional(),
    report: z.string().min(1).optional(),
    optionFile: z.string().min(1).optional(),
    /** Where local state (the embedded server) lives; relative to this file's folder. */
    stateDir: z.string().min(1).optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
    /** Append JSON log lines to this file instead of stderr (`--log-file`). */
    logFile: z.string().min(1).optional(),
    /** TLS per connection (URL parameters win); `require` is `--require-tls`. */
    tls: z
      .object({
        require: z.boolean().optional(),
        source: tlsEntry.optional(),
        report: tlsEntry.optional(),
      })
      .strict()
      .optional(),
    sync: z
      .object({
        strategy: z.enum(['swap', 'lock']).optional(),
        threads: z.number().int().min(1).max(64).optional(),
        chunkRows: z.number().int().min(100).max(10_000_000).optional(),
        include: tableList.optional(),
        exclude: tableList.optional(),
        swapWaitMs: z.number().int().min(0).max(600_000).optional(),
      })
      .strict()
      .optional(),
    backup: z
      .object({
        /** Where scheduled backups go, their second copies, and how many are kept. */
        to: z.string().min(1).optional(),
        copyTo: z.array(z.string().min(1)).optional(),
        keepLast: z.number().int().min(1).max(10_000).optional(),
        keepDays: z.number().int().min(0).max(100_000).optional(),
        compress: z.enum(['gzip', 'zstd', 'none']).optional(),
        threads: z.number().int().min(1).max(64).optional(),
        /** Encrypt scheduled backups with the key in this file (never the key itself in the config). */
        encryptKeyFile: z.string().min(1).optional(),
        /** Create missing backup folders; off by default, so a missing off-site mount fails instead of filling the local disk. */
        createDirs: z.boolean().optional(),
        /** Prune also removes incomplete backups untouched for this many hours (default 1). */
        incompleteGraceHours: z.number().min(0).max(100_000).optional(),
      })
      .strict()
      .optional(),
    /** The archive rule `schedule --archive-cron` runs (README "Archiving old data"): `dualpipe archive --where …`. */
    archive: z
      .object({
        where: z.string().min(1).max(10_000),
        chunkRows: z.number().int().min(1).max(1_000_000).optional(),
        onReferenced: z.enum(['keep', 'refuse']).optional(),
      })
      .strict()
      .optional(),
    /** Bounds of a run (README "Timeouts and stalls"); durations as seconds or `90s`, `5m`, `2h`. */
    limits: z
      .object({
        stallTimeout: z.union([z.number().min(0), z.string().min(1)]).optional(),
        maxRuntime: z.union([z.number().min(0), z.string().min(1)]).optional(),
        connectTimeout: z.number().min(1).max(3600).optional(),
      })
      .strict()
      .optional(),
    /** Throttling of syncs, backups and restores (README "Throttling"); flags win. */
    throttle: z
      .object({
        maxLoad: loadLimits('throttle.maxLoad').optional(),
        criticalLoad: loadLimits('throttle.criticalLoad').optional(),
        /** Seconds of replica lag tolerated. */
        maxLag: z.number().min(0).max(604_800).optional(),
        /** Seconds one pause may last before the run fails (default 1800). */
        maxPause: z.number().positive().max(604_800).optional(),
        /** After each chunk, pause this many times as long as the chunk took (0-100). */
        niceRatio: z.number().min(0).max(100).optional(),
      })
      .strict()
      .optional(),
    /** Report files (docs/custom-reports.md): folders relative to this file's folder; the bundled CRM reports. */
    reports: z
      .object({
        dir: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
        /** The bundled CRM reports: true always, false never; unset: only when the source is the CRM schema. */
        builtin: z.boolean().optional(),
      })
      .strict()
      .optional(),
    schedule: z
      .object({
        sync: cronText.optional(),
        incremental: cronText.optional(),
        verify: cronText.optional(),
        backup: cronText.optional(),
        /** Runs the `archive` rule (below) on this cron (`--archive-cron`). */
        archive: cronText.optional(),
        timezone: z.string().min(1).optional(),
        onBusy: z.enum(['skip', 'wait']).optional(),
        /** host:port of the scheduler's Prometheus metrics (`--metrics-listen`); the scheduler checks it fully at start-up. */
        metricsListen: z
          .string()
          .max(300)
          .regex(/^(?:\[[^\]]+\]|[^:[\]\s]+):\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:9464')
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The contents of dualpipe.config.json, validated. */
export type ConfigFile = z.infer<typeof configFileSchema>;

/** A key as the message shows it: plain names as they are, others (empty, spaces, control characters) JSON-quoted. */
const keyName = (key: PropertyKey) => (typeof key === 'number' || /^[\w$-]+$/.test(String(key)) ? String(key) : JSON.stringify(String(key)));

function describeIssue(issue: z.core.$ZodIssue): { field: string; message: string } {
  const field = issue.path.map(keyName).join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map(keyName).join(', ');
    const where = issue.path.length ? `${field}.` : '';
    return { field: `${where}${keyName(issue.keys[0] ?? '')}`, message: `unknown key ${where}${keys}` };
  }
  return { field, message: `${field}: ${issue.message}` };
}

/** Validates a parsed JSON value as a config file; throws one ConfigError naming the first bad field. */
export function parseConfigFile(value: unknown, path: string): ConfigFile {
  const result = configFileSchema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map(describeIssue);
  const first = issues[0]!;
  const more =
    issues.length > 1
      ? ` (and ${issues.length - 1} more: ${issues
          .slice(1)
          .map((i) => i.message)
          .join('; ')})`
      : '';
  throw new ConfigError(`config file ${path}: ${first.message}${more}`, {
    field: first.field,
    hint: 'fix the field or remove it; see README "Configuration" for the keys',
  });
}

/** Reads the config file; a missing default file is fine, a missing explicit one is an error. */
export function loadConfigFile(path: string, explicit: boolean): ConfigFile {
  if (!existsSync(path)) {
    if (explicit)
      throw new ConfigError(`config file ${path} does not exist`, { hint: 'check the --config path' });
    return {};
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
      hint: 'fix the JSON syntax',
    });
  }
  return parseConfigFile(json, path);
}
