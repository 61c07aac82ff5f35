import type { Command } from 'commander';
import type { Pipeline } from '../../api/index.js';
import type { KnownErasure } from '../../api/backup-inventory.js';
import { UsageError } from '../../api/light.js';
import type { CliContext, GetContext } from '../context.js';
import { KEY_FILE_FLAG, keyFromFlag } from '../key-file.js';
import { parsePositiveInt } from '../parse-options.js';

function age(ms: number): string {
  const h = ms / 3_600_000;
  return h < 1 ? `${Math.round(h * 60)} min` : h < 48 ? `${h.toFixed(1)} h` : `${(h / 24).toFixed(1)} d`;
}

/** The pipeline when the configuration resolves: verifying a backup needs none, recording it for `status` does. */
function historyOf(c: CliContext): { history?: Pipeline } {
  try {
    return { history: c.pipeline };
  } catch {
    return {};
  }
}

/**
 * The erasures of the configured source's live ledger, for marking backups that hold forgotten
 * subjects; none without a configured source (the backups' own ledgers still mark).
 */
async function liveErasuresOf(c: CliContext): Promise<KnownErasure[]> {
  let connector, schema;
  try {
    connector = c.source();
    schema = c.config.source.database;
  } catch {
    return [];
  }
  const { readLiveErasures } = await import('../../api/backup-inventory.js');
  return readLiveErasures(connector, schema);
}

/** `backup list`, `backup prune`, `backup verify`. */
export function registerBackupInventoryCommands(backup: Command, ctx: GetContext): void {
  backup
    .command('list')
    .description('list the backups in a folder: age, size, tables, rows, complete, verified')
    .requiredOption('--in <dir>', 'the folder given to `backup --to`')
    .action(async (flags: { in: string }) => {
      const c = ctx();
      const now = Date.now();
      const { listBackups } = await import('../../api/backup-inventory.js');
      const list = await listBackups(flags.in, await liveErasuresOf(c));
      c.print(
        { backups: list.map(({ manifest: _m, ...b }) => b) },
        () =>
          list.length === 0
            ? `no backups in ${flags.in}`
            : list
                .map(
                  (b) =>
                    `${b.name}  ${age(now - b.at.getTime()).padStart(8)}  ${(b.bytes / 1048576).toFixed(1).padStart(8)} MB  ` +
                    `${b.complete ? `${b.tables} tables ${b.rows} rows  sync #${b.syncRunId}${b.keyId ? `  encrypted (key id ${b.keyId.slice(0, 8)}…)` : ''}` : `INCOMPLETE (${b.problem})`}  ` +
                    `${b.verification ? (b.verification.ok ? `verified${b.verification.restoreTest ? ' + restore test' : ''} ${b.verification.at}` : 'VERIFY FAILED') : 'not verified'}` +
                    (b.forgotten.length ? `  HOLDS FORGOTTEN SUBJECTS (${b.forgotten.length} erasure(s) since it was taken; \`backup prune --forgotten\`)` : ''),
                )
                .join('\n'),
      );
    });

  backup
    .command('prune')
    .description('delete old backups: keeps the newest N complete ones (and those younger than D days); never the newest')
    .requiredOption('--in <dir>', 'the folder given to `backup --to`')
    .option('--keep-last <n>', 'complete backups to keep (needed unless --forgotten is given; then all are kept but the marked ones)', parsePositiveInt('--keep-last', 100_000))
    .option('--keep-days <d>', 'also keep complete backups younger than this many days', parsePositiveInt('--keep-days', 100_000))
    .option('--incomplete-grace-hours <h>', 'delete incomplete backups (no manifest: failed or cut short) untouched for this many hours', parsePositiveInt('--incomplete-grace-hours', 100_000), 1)
    .option('--forgotten', 'also delete backups that still hold forgotten subjects (`backup list` marks them), never the newest, and only when a newer backup without them exists')
    .option('--dry-run', 'say what would be deleted, delete nothing')
    .action(async (flags: { in: string; keepLast?: number; keepDays?: number; incompleteGraceHours: number; dryRun?: boolean; forgotten?: boolean }) => {
      const c = ctx();
      if (flags.keepLast === undefined && !flags.forgotten) throw new UsageError('backup prune needs --keep-last <n> or --forgotten');
      const { pruneAndRecord } = await import('../../api/backup-inventory.js');
      const d = await pruneAndRecord(flags.in, {
        ...historyOf(c),
        keepLast: flags.keepLast ?? Number.MAX_SAFE_INTEGER,
        ...(flags.forgotten ? { forgotten: { liveErasures: await liveErasuresOf(c) } } : {}),
        ...(flags.keepDays !== undefined ? { keepDays: flags.keepDays } : {}),
        incompleteGraceHours: flags.incompleteGraceHours,
        now: new Date(),
        dryRun: flags.dryRun === true,
      });
      for (const r of d.remove) c.logger.info({ backup: r.name, why: r.why }, flags.dryRun ? 'would delete' : 'deleted');
      c.print(d, () =>
        [
          ...d.remove.map((r) => `${flags.dryRun ? 'would delete' : 'deleted'} ${r.name} (${r.why})`),
          ...d.keep.map((k) => `kept ${k.name} (${k.why})`),
        ].join('\n'),
      );
    });

  backup
    .command('verify <dir>')
    .description("re-check every chunk's SHA-256; --restore-test also restores into a scratch schema and checks it")
    .option('--restore-test', 'restore into a scratch schema, compare checksums and foreign keys, drop it')
    .option('--threads <n>', 'loading sessions for the restore test', parsePositiveInt('--threads', 64), 2)
    .option(KEY_FILE_FLAG[0], KEY_FILE_FLAG[1])
    .action(async (dir: string, flags: { restoreTest?: boolean; threads: number }, cmd: Command) => {
      const c = ctx();
      // `backup` has the same flag, and commander gives it to the parent: read both.
      const key = await keyFromFlag(c, cmd.optsWithGlobals<{ encryptKeyFile?: string }>().encryptKeyFile);
      const options = {
        dir,
        ...key,
        ...(flags.restoreTest
          ? { restoreTest: { connector: c.source(), schemaPrefix: c.config.source.database, threads: flags.threads } }
          : {}),
        logger: c.logger,
      };
      const { verifyAndRecordBackup } = await import('../../api/backup-inventory.js');
      const r = await verifyAndRecordBackup({ ...options, ...historyOf(c) });
      c.print(r, () => `${r.dir}: ${r.message} (${r.chunks} chunks, ${(r.bytes / 1048576).toFixed(1)} MB)`);
    });
}

