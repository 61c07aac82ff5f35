/** The library options of a sync (or verify) from the config, overridden by a command's flags. */
import type { SyncOptions } from '../api/index.js';
import type { CliContext } from './context.js';
import { type ReportFlags, reportSetOf } from './report-flags.js';
import { type ThrottleFlags, throttleLimits } from './throttle-flags.js';

/** The flags that override the config's `sync` section. */
export interface SyncOverrides extends ThrottleFlags, ReportFlags {
  strategy?: 'swap' | 'lock';
  threads?: number;
  tables?: string[];
  exclude?: string[];
  waitLock?: number;
}

/** The options of a sync from config and flags. */
export function syncOptions(c: CliContext, flags: SyncOverrides) {
  const cfg = c.config;
  const throttle = throttleLimits(cfg.throttle, flags);
  return {
    pipeline: c.pipeline,
    strategy: flags.strategy ?? cfg.sync.strategy,
    threads: flags.threads ?? cfg.sync.threads,
    chunkRows: cfg.sync.chunkRows,
    include: flags.tables ?? cfg.sync.include,
    exclude: flags.exclude ?? cfg.sync.exclude,
    swapWaitMs: cfg.sync.swapWaitMs,
    waitForLockSeconds: flags.waitLock ?? 0,
    logger: c.logger,
    reportSet: reportSetOf(c, flags),
    ...(throttle ? { throttle } : {}),
  } satisfies SyncOptions;
}
