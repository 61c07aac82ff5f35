/**
 * `--reports-dir DIR` (repeatable) and `--builtin-reports` / `--no-builtin-reports`, shared by every
 * command that builds or reads report files. Precedence: flags > DUALPIPE_REPORTS_DIR > config
 * `reports`. Flag and environment folders are relative to the working directory, config folders to
 * the config file's folder.
 */
import { delimiter, resolve } from 'node:path';
import type { Command } from 'commander';
import type { ReportSetOptions } from '../api/index.js';
import type { CliContext } from './context.js';
import { collect } from './parse-options.js';

/** The report flags as commander gives them. */
export interface ReportFlags {
  reportsDir?: string[];
  builtinReports?: boolean;
}

/** Adds the report flags to a command. */
export function addReportFlags<C extends Command>(cmd: C): C {
  cmd
    .option('--reports-dir <dir>', 'a folder of rpt_*.sql report files, read at run time (repeatable; env DUALPIPE_REPORTS_DIR, config reports.dir)', collect)
    .option('--builtin-reports', 'also build the bundled CRM reports (default: only when the source is the CRM schema; config reports.builtin)')
    .option('--no-builtin-reports', 'never build the bundled CRM reports');
  return cmd;
}

/** Where this invocation's reports come from. */
export function reportSetOf(c: CliContext, flags: ReportFlags): ReportSetOptions {
  const env = c.io.env.DUALPIPE_REPORTS_DIR;
  const cfg = c.file.reports;
  const cfgDirs = cfg?.dir === undefined ? undefined : typeof cfg.dir === 'string' ? [cfg.dir] : cfg.dir;
  const dirs = flags.reportsDir?.length
    ? flags.reportsDir.map((d) => resolve(c.io.cwd, d))
    : env
      ? env.split(delimiter).filter(Boolean).map((d) => resolve(c.io.cwd, d))
      : (cfgDirs ?? []).map((d) => resolve(c.configDir, d));
  const builtin = flags.builtinReports ?? cfg?.builtin;
  return { dirs, ...(builtin !== undefined ? { builtin } : {}) };
}
