import type { Command } from 'commander';
import type { Compression } from '../../api/index.js';
import { COMPRESSIONS, UsageError } from '../../api/light.js';
import type { GetContext } from '../context.js';
import { keyFromFlag } from '../key-file.js';
import { collect, parsePositiveInt } from '../parse-options.js';
import { addLimitFlags, applyLimitFlags, type LimitFlags } from '../limit-flags.js';
import { addThrottleFlags, type ThrottleFlags, throttleLimits } from '../throttle-flags.js';
import { createProgress } from '../progress.js';
import { registerBackupInventoryCommands } from './backup-inventory.js';

function parseCompress(text: string): Compression {
  const kind = COMPRESSIONS.find((c) => c === text);
  if (!kind) throw new UsageError(`invalid --compress "${text}"`, { hint: 'use zstd, gzip or none' });
  return kind;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** `dualpipe backup --to DIR`: dump the MyISAM mirrors of the last sync. */
export function registerBackupCommand(program: Command, ctx: GetContext): void {
  const backup = program.command('backup');
  addLimitFlags(backup)
    .description('back up the MyISAM mirrors of the last sync into a new folder under DIR (manifest written last)')
    .option('--to <dir>', 'parent folder; the backup goes into DIR/dualpipe-<timestamp>/')
    .option('--threads <n>', 'chunks dumped in parallel', parsePositiveInt('--threads', 64), 2)
    .option('--compress <kind>', 'zstd, gzip or none (zstd needs the zstd command, apt-get install zstd, or Node >= 22.15)', parseCompress, 'gzip')
    .option('--include-reports', 'also back up the rpt_* report tables')
    .option('--copy-to <dir>', 'also write a verified copy under this folder (repeatable)', collect)
    .option('--encrypt-key-file <file>', 'encrypt every chunk and the table list with AES-256-GCM (key: 64 hex digits or base64)')
    .option('--create-dirs', 'create --to and --copy-to folders that do not exist (without it a missing folder, say an unmounted disk, is refused)')
    .option('--wait-lock <seconds>', 'wait this long for a running sync instead of exiting 4', parsePositiveInt('--wait-lock', 86_400))
    .addHelpText('after', '\nExit codes: 0 ok, 1 failure (also a full or failing disk), 2 usage (also a missing, read-only or non-directory folder), 4 a sync or another backup holds the lock.');
  addThrottleFlags(backup, 'report server');
  backup
    .action(async (flags: ThrottleFlags & LimitFlags & { to?: string; threads: number; compress: Compression; includeReports?: boolean; waitLock?: number; copyTo?: string[]; encryptKeyFile?: string; createDirs?: boolean }) => {
      const c = ctx();
      applyLimitFlags(c, 'backup', flags);
      const throttle = throttleLimits(c.config.throttle, flags);
      if (!flags.to) throw new UsageError('backup needs --to DIR', { hint: 'e.g. dualpipe backup --to /var/backups/dualpipe' });
      const key = await keyFromFlag(c, flags.encryptKeyFile);
      const { runBackup } = await import('../../api/backup.js');
      const progress = createProgress(c.io, c.logger);
      const started = Date.now();
      try {
        const result = await runBackup({
          pipeline: c.pipeline,
          to: flags.to,
          threads: flags.threads,
          compress: flags.compress,
          includeReports: flags.includeReports === true,
          ...key,
          ...(flags.copyTo ? { copyTo: flags.copyTo } : {}),
          createDirs: flags.createDirs === true,
          waitForLockSeconds: flags.waitLock ?? 0,
          ...(throttle ? { throttle } : {}),
          logger: c.logger,
          onProgress: (e) => {
            if (e.item === 'rows') progress.update('backup rows', e.done, e.total, 'rows');
            else if (e.item === 'bytes') progress.update('backup MB', Math.round(e.done / 1e6), Math.round(e.total / 1e6), 'MB');
          },
        });
        progress.stop();
        const m = result.manifest;
        const secs = (Date.now() - started) / 1000;
        c.print({ dir: result.dir, ...m.totals, syncRunId: m.sync.runId, binlog: m.binlog, encrypted: m.encryption !== undefined, copies: result.copies }, () =>
          [
            ...m.tables.map(
              (t) => `${t.name.padEnd(28)} ${String(t.rows).padStart(10)} rows  ${String(t.chunks.length).padStart(4)} chunks`,
            ),
            `backup of sync #${m.sync.runId}: ${m.totals.tables} tables, ${m.totals.rows} rows, ` +
              `${mb(m.totals.bytes)} in ${secs.toFixed(1)} s (${mb(m.totals.bytes / Math.max(secs, 0.001))}/s)`,
            `written to ${result.dir}${m.encryption ? ` (encrypted, key id ${m.encryption.keyId})` : ''}`,
            ...result.copies.map((cp) => `copied to ${cp.dir} (${cp.chunks} chunks read back and verified)`),
          ].join('\n'),
        );
      } finally {
        progress.stop();
      }
    });
  backup
    .command('keygen <file>')
    .description('write a new random AES-256 key to FILE (mode 600, never overwrites); keep a copy away from the backups')
    .action(async (file: string) => {
      const c = ctx();
      const { writeNewKey } = await import('../../api/backup.js');
      const r = await writeNewKey(file);
      c.print(r, () => `wrote a new key to ${r.file} (key id ${r.id}); back it up apart from the backups: without it they cannot be restored`);
    });
  registerBackupInventoryCommands(backup, ctx);
}
