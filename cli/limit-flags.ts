/** The flags that bound a run (README "Timeouts and stalls"), shared by sync, verify, backup and restore. */
import type { Command } from 'commander';
import type { CliContext } from './context.js';

/** The parsed bound flags (durations stay text; `resolveRunLimits` parses and checks them). */
export interface LimitFlags {
  stallTimeout?: string;
  maxRuntime?: string;
  connectTimeout?: string;
}

/** Adds --stall-timeout, --max-runtime and --connect-timeout to `cmd`. */
export function addLimitFlags(cmd: Command): Command {
  return cmd
    .option('--stall-timeout <duration>', 'fail when no data moved this long and the server does not answer a probe (e.g. 90s, 5m; 0 disables; default 300 s; env DUALPIPE_STALL_TIMEOUT, config limits.stallTimeout)')
    .option('--max-runtime <duration>', 'stop the run (cleanly, nothing half-done) when it takes longer (e.g. 2h; env DUALPIPE_MAX_RUNTIME, config limits.maxRuntime)')
    .option('--connect-timeout <seconds>', 'give up connecting after this long (default 10; env DUALPIPE_CONNECT_TIMEOUT, config limits.connectTimeout)');
}

/** Puts the run of this command under its bounds (before anything connects). */
export function applyLimitFlags(c: CliContext, kind: string, flags: LimitFlags): void {
  c.watchRun(kind, { ...(flags.stallTimeout !== undefined ? { stallTimeout: flags.stallTimeout } : {}), ...(flags.maxRuntime !== undefined ? { maxRuntime: flags.maxRuntime } : {}), ...(flags.connectTimeout !== undefined ? { connectTimeout: flags.connectTimeout } : {}) });
}
