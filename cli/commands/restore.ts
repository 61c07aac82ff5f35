import type { Command } from 'commander';
import type { LostRowCount, RestoreOptions } from '../../api/index.js';
import { UsageError } from '../../api/light.js';
import { confirm, terminal } from '../confirm.js';
import type { GetContext } from '../context.js';
import { KEY_FILE_FLAG, keyFromFlag } from '../key-file.js';
import { ERASURE_KEY_FLAG, erasureKeyFromFlag } from '../erasure-key-flag.js';
import { describeMerge, describeRestore } from '../restore-text.js';
import { parseList, parsePositiveInt } from '../parse-options.js';
import { addLimitFlags, applyLimitFlags, type LimitFlags } from '../limit-flags.js';
import { createProgress, type Progress } from '../progress.js';
import { syncOptions } from '../sync-options.js';
import { addThrottleFlags, type ThrottleFlags, throttleLimits } from '../throttle-flags.js';

interface RestoreFlags extends LimitFlags, ThrottleFlags {
  from?: string;
  fromMirrors?: boolean;
  into?: string;
  threads: number;
  indexes: 'after-load' | 'create';
  dryRun?: boolean;
  yes?: boolean;
  sync?: boolean;
  rollback?: boolean;
  dropPrevious?: boolean;
  waitLock?: number;
  encryptKeyFile?: string;
  mode: 'replace' | 'merge';
  where?: string;
  tables?: string[];
  keepLost?: string;
  erasureKeyFile?: string;
  archive?: boolean;
}

function parseMode(text: string): 'replace' | 'merge' {
  if (text !== 'replace' && text !== 'merge') throw new UsageError(`invalid --mode "${text}"`, { hint: 'use replace or merge' });
  return text;
}

function parseIndexes(text: string): 'after-load' | 'create' {
  if (text !== 'after-load' && text !== 'create')
    throw new UsageError(`invalid --indexes "${text}"`, { hint: 'use after-load or create' });
  return text;
}


/**
 * `dualpipe restore`: from a backup (`--from`) or the live mirrors (`--from-mirrors`), replacing
 * whole tables or merging rows; or `--rollback` / `--drop-previous` of the last restore.
 */
export function registerRestoreCommand(program: Command, ctx: GetContext): void {
  const restore = program.command('restore');
  addThrottleFlags(restore, 'restore target');
  addLimitFlags(restore)
    .description('restore a backup into InnoDB: validated first, loaded aside, swapped in with one atomic RENAME')
    .option('--from <dir>', 'a backup directory, or the folder holding backups (the newest complete one is used)')
    .option('--from-mirrors', 'rebuild from the live MyISAM mirrors of the last sync (same checks and atomic swap)')
    .option('--into <schema>', 'restore into this schema (created if missing) instead of the source schema')
    .option('--threads <n>', 'chunks loaded in parallel', parsePositiveInt('--threads', 64), 2)
    .option('--indexes <when>', 'after-load (build secondary indexes after the load) or create', parseIndexes, 'after-load')
    .option(KEY_FILE_FLAG[0], `${KEY_FILE_FLAG[1]}: the key an encrypted backup was written with`)
    .option(ERASURE_KEY_FLAG[0], ERASURE_KEY_FLAG[1])
    .option('--mode <mode>', 'replace (whole tables, atomic swap) or merge (insert the rows --where chooses and their dependents)', parseMode, 'replace')
    .option('--where <filter>', 'with --mode merge: the rows to bring back, e.g. "contacts.id IN (42, 43)" (=, IN, BETWEEN, AND)')
    .option('--tables <list>', 'restore only these tables (comma-separated; --from or --from-mirrors); tables that reference them must be included', parseList)
    .option('--dry-run', 'validate the backup and print the plan (merge: count, then roll back); change nothing')
    .option('--yes', 'replace live tables without asking, discarding the rows written since the backup (refused without it when there are any)')
    .option('--keep-lost <schema>', 'before the swap, copy the live rows the restore discards into this schema (InnoDB, created if missing)')
    .option('--archive', 'with --from: also restore the backup\'s archive into <target>_archive (MyISAM), replacing the archive there')
    .option('--sync', 'run a sync afterwards (the mirrors are stale after a restore)')
    .option('--rollback', 'put back the tables the last restore replaced')
    .option('--drop-previous', 'drop the tables the last restore replaced (the rollback window)')
    .option('--wait-lock <seconds>', 'wait this long for another restore instead of exiting 4', parsePositiveInt('--wait-lock', 86_400))
    .addHelpText('after', '\nExit codes: 0 ok, 1 failure, 2 usage or a backup that does not fit, 4 another restore holds the lock, 5 a damaged or unfinished backup.')
    .action(async (flags: RestoreFlags) => {
      const c = ctx();
      applyLimitFlags(c, 'restore', flags);
      const cfg = c.config;
      const target = flags.into ?? cfg.source.database;
      const modes = [flags.from !== undefined, flags.fromMirrors === true, flags.rollback === true, flags.dropPrevious === true].filter(Boolean).length;
      if (modes !== 1) throw new UsageError('pass exactly one of --from <dir>, --from-mirrors, --rollback or --drop-previous');
      const restoring = flags.from !== undefined || flags.fromMirrors === true;
      if (flags.encryptKeyFile !== undefined && flags.from === undefined)
        throw new UsageError('--encrypt-key-file applies to a restore from files (--from) only');
      if ((flags.mode === 'merge') !== (flags.where !== undefined))
        throw new UsageError(flags.where === undefined ? '--mode merge needs --where' : '--where applies to --mode merge only', {
          hint: 'e.g. dualpipe restore --from DIR --mode merge --where "contacts.id IN (42)"',
        });
      if (flags.dryRun && !restoring) throw new UsageError('--dry-run applies to a restore (--from, --from-mirrors) only');
      if (cfg.sameServer && target === cfg.report.database)
        throw new UsageError(`${target} is the report schema: a restore goes into InnoDB`, { hint: 'use --into with another schema' });
      if (flags.keepLost !== undefined && (!restoring || flags.mode === 'merge'))
        throw new UsageError('--keep-lost needs a replace restore (--from or --from-mirrors)');
      if (flags.tables !== undefined && (!restoring || flags.mode === 'merge' || flags.tables.length === 0))
        throw new UsageError('--tables needs a replace restore (--from or --from-mirrors) and at least one table name');
      if (flags.archive && (flags.from === undefined || flags.mode === 'merge'))
        throw new UsageError('--archive needs a replace restore from files (--from)');
      if (flags.mode === 'merge') {
        if (flags.from === undefined || flags.sync)
          throw new UsageError('--mode merge needs --from <dir> and takes no --from-mirrors, --rollback, --drop-previous or --sync');
        const { mergeAndRecord } = await import('../../api/merge.js');
        const r = await mergeAndRecord({
          history: c.pipeline,
          connector: c.source(),
          from: flags.from,
          ...(await keyFromFlag(c, flags.encryptKeyFile)),
          ...(await erasureKeyFromFlag(c, flags.erasureKeyFile)),
          target,
          where: flags.where!,
          threads: flags.threads,
          dryRun: flags.dryRun === true,
          waitForLockSeconds: flags.waitLock ?? 0,
          logger: c.logger,
        });
        c.print(r, () => describeMerge(r));
        return;
      }
      const isSource = target === cfg.source.database;
      if (flags.sync && (!isSource || !restoring || flags.dryRun))
        throw new UsageError('--sync needs a restore (not a dry run) into the source schema', { hint: 'run `dualpipe sync` on its own' });
      const base = { connector: c.source(), target, waitForLockSeconds: flags.waitLock ?? 0, logger: c.logger };
      if (flags.dropPrevious) {
        const { dropPreviousAndRecord } = await import('../../api/merge.js');
        const r = await dropPreviousAndRecord({ ...base, history: c.pipeline });
        c.print(r, () => (r.dropped ? `dropped ${r.previous} (${r.tables} tables)` : `${r.previous} does not exist: nothing to drop`));
        return;
      }
      if (flags.rollback) {
        const { rollbackAndRecord } = await import('../../api/merge.js');
        const r = await rollbackAndRecord({
          ...base,
          history: c.pipeline,
          confirm: (info) => confirm(c, `replace the ${info.tables.length} tables of ${target} restored at ${info.restoredAt} by the ones they replaced`, flags.yes),
        });
        c.print(r, () => `rolled back the restore of ${r.restoredAt}: ${r.putBack.length} tables put back, ${r.removed.length} restored tables dropped`);
        return;
      }
      const { describeLost, restoreThenSync } = await import('../../api/restore.js');
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      let progress: Progress = createProgress(c.io, c.logger);
      try {
        const throttle = throttleLimits(cfg.throttle, flags);
        // On a terminal the confirmation shows the count known before the load; the exact count
        // before the swap is asked about again only when it says more than the user agreed to.
        let agreed: LostRowCount | undefined;
        const since = flags.fromMirrors ? 'last sync' : 'backup';
        const askAboutLost = async (lost: LostRowCount): Promise<boolean> => {
          if (agreed && agreed.method !== 'unknown' && lost.rows <= agreed.rows && lost.unknown.length === 0) return true;
          progress.stop();
          const ok = await confirm(c, `${describeLost(lost, since)} (counted exactly now, before the swap); discard them`, false);
          progress = createProgress(c.io, c.logger);
          agreed = lost;
          return ok;
        };
        const options: Omit<RestoreOptions, 'from'> = {
          ...base,
          ...(throttle ? { throttle } : {}),
          threads: flags.threads,
          indexes: flags.indexes,
          dryRun: flags.dryRun === true,
          signal: controller.signal,
          onProgress: (e) => progress.update(e.item, e.done, e.total, e.unit),
          lostRows: flags.yes ? 'discard' : terminal(c) ? askAboutLost : 'refuse',
          ...(flags.keepLost !== undefined ? { keepLost: flags.keepLost } : {}),
          ...(flags.archive ? { archive: true } : {}),
          ...(await erasureKeyFromFlag(c, flags.erasureKeyFile)),
          confirm: async (plan, lost) => {
            agreed = lost;
            progress.stop();
            const what = flags.fromMirrors ? 'the mirrors of the last sync' : `the backup of ${plan.backupDir}`;
            const loss = lost ? `; ${describeLost(lost, flags.fromMirrors ? 'last sync' : 'backup')}` : '';
            const ok = await confirm(c, `replace ${plan.replaced.length} live table(s) of ${target} with ${what}${loss}`, flags.yes);
            progress = createProgress(c.io, c.logger);
            return ok;
          },
        };
        const result = await restoreThenSync({
          ...options,
          ...(flags.tables ? { tables: flags.tables } : {}),
          ...(flags.fromMirrors ? { pipeline: c.pipeline } : { ...(await keyFromFlag(c, flags.encryptKeyFile)), from: flags.from! }),
          syncHistory: c.pipeline,
          ...(flags.sync ? { sync: syncOptions(c, { waitLock: flags.waitLock, ...flags }) } : {}),
          history: c.pipeline,
          onRestored: () => progress.stop(),
        });
        progress.stop();
        c.print(result, () => describeRestore(result, cfg.report.database, isSource, flags.fromMirrors ? 'last sync' : 'backup', describeLost));
      } finally {
        progress.stop();
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
