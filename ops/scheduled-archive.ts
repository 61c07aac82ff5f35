/**
 * The archive job of `dualpipe schedule` (`--archive-cron`, config `schedule.archive`): runs the
 * config file's archive rule (`archive.where`, optional `chunkRows`, `onReferenced`) like
 * `dualpipe archive`, under the archive lock (busy: the run is skipped like any job's), with the
 * scheduler's throttle. Each run is recorded in the run history as kind `archive`, so `status`
 * shows its outcome; a killed run's open chunk is reconciled by the next one.
 */
import type { ResolvedConfig } from '../src/config/resolve-config.js';
import { UsageError } from '../src/errors.js';
import type { ThrottleLimits } from '../src/guard/throttle-limits.js';
import { recordRun } from '../src/history/record-run.js';
import type { Logger } from '../src/log/logger.js';
import type { Pipeline } from '../src/pipeline.js';
import { runArchive } from './archive/run-archive.js';
import type { ScheduledJob } from './schedule.js';
import type { RunIn } from './watched-pipeline.js';

/** The config file's archive rule. */
export type ArchiveRule = NonNullable<ResolvedConfig['archive']>;

/** The `archive` job firing on `cron`; refuses (usage, exit 2) a schedule without a rule. */
export function scheduledArchiveJob(
  pipeline: Pipeline,
  cron: string,
  rule: ArchiveRule | undefined,
  o: { throttle?: ThrottleLimits; logger: Logger; runIn?: RunIn },
): ScheduledJob {
  if (!rule) throw new UsageError('--archive-cron needs an archive rule: set archive.where in the config file', { hint: 'e.g. "archive": { "where": "contacts.created_at < NOW() - INTERVAL 2 YEAR" }' });
  const runIn: RunIn = o.runIn ?? ((_kind, body) => body(pipeline));
  return {
    name: 'archive',
    cron,
    run: () =>
      runIn('archive', (watched) =>
        recordRun(
          watched,
          { kind: 'archive' },
          () =>
            runArchive({
              pipeline: watched,
              where: rule.where,
              ...(rule.chunkRows !== undefined ? { chunkRows: rule.chunkRows } : {}),
              ...(rule.onReferenced ? { onReferenced: rule.onReferenced } : {}),
              ...(o.throttle ? { throttle: o.throttle } : {}),
              logger: o.logger,
            }),
          (r) => ({ details: { runId: r.runId, archive: r.archiveSchema, chunks: r.chunks, subjects: r.subjects, rows: r.tables.reduce((a, t) => a + t.rows, 0), reconciled: r.reconciled } }),
        ),
      ),
  };
}
