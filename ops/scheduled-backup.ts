/**
 * The backup job of `dualpipe schedule`: dump the mirrors, write the copies, then prune every
 * place to the retention (each prune recorded in the run history, incomplete backups included). The key file is read at each run, so a rotated key is picked up without
 * restarting the scheduler. Without a retention nothing is pruned (and each run says so).
 */
import { runBackup } from '../backup/dump/run-backup.js';
import { readBackupKey } from '../backup/format/backup-key.js';
import type { ResolvedConfig } from '../src/config/resolve-config.js';
import { UsageError } from '../src/errors.js';
import type { Logger } from '../src/log/logger.js';
import type { ThrottleLimits } from '../src/guard/throttle-limits.js';
import type { Pipeline } from '../src/pipeline.js';
import { tellBackupMoved } from './data-moved.js';
import { pruneAndRecord } from './prune-and-record.js';
import type { ScheduledJob } from './schedule.js';
import type { RunIn } from './watched-pipeline.js';

/** Where scheduled backups go and how many are kept: the config file's `backup` section. */
export type ScheduledBackupSettings = ResolvedConfig['backup'] & { throttle?: ThrottleLimits };

/** The `backup` job firing on `cron`; refuses settings without a folder (`to`). */
export function scheduledBackupJob(
  pipeline: Pipeline,
  cron: string,
  settings: ScheduledBackupSettings,
  logger: Logger,
  runIn: RunIn = (_kind, body) => body(pipeline),
): ScheduledJob {
  const to = settings.to;
  if (!to) throw new UsageError('scheduled backups need a folder', { hint: 'pass --backup-to DIR or set backup.to in the config file' });
  const copyTo = settings.copyTo ?? [];
  const { keepLast, keepDays } = settings;
  return {
    name: 'backup',
    cron,
    run: async (_signal, wait) => {
      const key = settings.encryptKeyFile ? await readBackupKey(settings.encryptKeyFile, (message) => logger.warn(message)) : undefined;
      const r = await runIn('backup', (watched) =>
        runBackup({
        ...(key ? { key } : {}),
        pipeline: watched,
        to,
        copyTo,
        compress: settings.compress ?? 'gzip',
        threads: settings.threads ?? 2,
        // A scheduled backup never creates its folders unless told to: a missing off-site mount
        // must fail the run (and show in status) rather than silently fill the local disk.
        createDirs: settings.createDirs === true,
        waitForLockSeconds: wait,
        ...(settings.throttle ? { throttle: settings.throttle } : {}),
        logger,
      }),
      );
      tellBackupMoved('backup', r.manifest.totals);
      if (keepLast === undefined) {
        logger.warn('scheduled backup: no retention set (--keep-last / backup.keepLast): nothing is pruned');
        return;
      }
      for (const place of [to, ...copyTo]) {
        const pruned = await pruneAndRecord(place, {
          keepLast,
          ...(keepDays !== undefined ? { keepDays } : {}),
          ...(settings.incompleteGraceHours !== undefined ? { incompleteGraceHours: settings.incompleteGraceHours } : {}),
          now: new Date(),
          history: pipeline,
        });
        logger.info({ folder: place, removed: pruned.remove.map((x) => x.name), backup: r.dir }, 'scheduled backup: pruned');
      }
    },
  };
}
