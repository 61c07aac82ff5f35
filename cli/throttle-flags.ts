/**
 * The throttle's flags, shared by `sync`, `backup`, `restore`, `archive` and `unarchive`: `--max-load`,
 * `--critical-load`, `--max-lag`, `--max-pause`, `--nice-ratio` (pt-online-schema-change / gh-ost
 * conventions). Flags win over the
 * config file's `throttle` section, key by key.
 */
import type { Command } from 'commander';
import type { ThrottleLimits } from '../api/index.js';
import { hasLimits, parseDurationSeconds, parseLoadLimits, parseNiceRatio } from '../api/light.js';

/** The throttle flags as commander hands them over. */
export interface ThrottleFlags {
  maxLoad?: ThrottleLimits['maxLoad'];
  criticalLoad?: ThrottleLimits['criticalLoad'];
  maxLag?: number;
  maxPause?: number;
  niceRatio?: number;
}

/** Adds the throttle flags to `command`; `server` says whose load counts, for the help text. */
export function addThrottleFlags(command: Command, server: string): Command {
  return command
    .option('--max-load <Var=N,…>', `pause before the next chunk while a SHOW GLOBAL STATUS value of the ${server} is over N (e.g. Threads_running=50)`, (t: string) => parseLoadLimits(t, '--max-load'))
    .option('--critical-load <Var=N,…>', `abort (exit 1, nothing changed) when a status value of the ${server} is over N`, (t: string) => parseLoadLimits(t, '--critical-load'))
    .option('--max-lag <seconds>', `pause while the ${server}, when it is a replica, lags more than this`, (t: string) => parseDurationSeconds(t, '--max-lag', true))
    .option('--max-pause <duration>', 'fail when one pause lasts longer than this (default 30m; e.g. 90s, 15m, 1h)', (t: string) => parseDurationSeconds(t, '--max-pause'))
    .option('--nice-ratio <r>', `after each chunk, pause r times as long as the chunk took (0-100; 1 halves the load on the ${server})`, (t: string) => parseNiceRatio(t, '--nice-ratio'));
}

/** The limits of a run: the config file's, overridden by the flags; undefined when nothing is limited. */
export function throttleLimits(config: ThrottleLimits, flags: ThrottleFlags): ThrottleLimits | undefined {
  const limits: ThrottleLimits = {
    ...config,
    ...(flags.maxLoad ? { maxLoad: flags.maxLoad } : {}),
    ...(flags.criticalLoad ? { criticalLoad: flags.criticalLoad } : {}),
    ...(flags.maxLag !== undefined ? { maxLagSeconds: flags.maxLag } : {}),
    ...(flags.maxPause !== undefined ? { maxPauseSeconds: flags.maxPause } : {}),
    ...(flags.niceRatio !== undefined ? { niceRatio: flags.niceRatio } : {}),
  };
  return hasLimits(limits) ? limits : undefined;
}
