import type { Command } from 'commander';
import type { ForgetResult, ReapplyResult } from '../../api/index.js';
import { UsageError } from '../../api/light.js';
import { confirm } from '../confirm.js';
import { erasureKeyFromFlag } from '../erasure-key-flag.js';
import type { GetContext } from '../context.js';
import { parsePositiveInt } from '../parse-options.js';
import { syncOptions } from '../sync-options.js';

interface ForgetFlags {
  where?: string;
  reason?: string;
  reapply?: boolean;
  erasureKeyFile?: string;
  archiveSchema?: string;
  chunkRows?: number;
  dryRun?: boolean;
  yes?: boolean;
  waitLock: number;
}

/** The result in words: per table the rows erased from source and archive, nulled references, the publish. Never a key value. */
function describe(r: ForgetResult): string {
  if (r.nothingToForget) return `${r.root}: nothing to forget (no row matches in ${r.sourceSchema}${r.archiveChecked ? ` or ${r.archiveSchema}` : ''}, no erasure pending)`;
  const verb = r.dryRun ? 'would erase' : 'erased';
  const lines = [
    `${r.root}: ${verb} ${r.subjects} subject(s) from ${r.sourceSchema}${r.dryRun ? '' : ` in ${r.chunks} transaction(s)`}` +
      (r.archiveChecked ? ` and ${r.archivedSubjects} from ${r.archiveSchema}` : ` (no archive schema ${r.archiveSchema})`),
  ];
  lines.push(`  ${'table'.padEnd(30)} ${'source'.padStart(10)} ${'archive'.padStart(10)}`);
  for (const t of r.tables) lines.push(`  ${t.table.padEnd(30)} ${String(t.source).padStart(10)} ${String(t.archive).padStart(10)}`);
  for (const n of r.nulled) lines.push(`  ${r.dryRun ? 'would null' : 'nulled'} the reference of ${n.rows} row(s) of ${n.table} outside the subject (${n.foreignKey}, ON DELETE SET NULL)`);
  if (!r.dryRun) {
    lines.push(`ledger: ${r.ledgerEntries.length} entr${r.ledgerEntries.length === 1 ? 'y' : 'ies'} (${r.ledgerEntries.join(', ') || 'none new'}), key id ${r.keyId ?? '?'}`);
    lines.push(
      r.publish.sync === 'none'
        ? 'mirrors and reports: nothing to publish'
        : `mirrors and reports: published by a${r.publish.sync === 'incremental' ? 'n incremental' : ' full'} sync${r.publish.syncRunId !== undefined ? ` #${r.publish.syncRunId}` : ''}; ${r.publish.entriesCopied} ledger entr${r.publish.entriesCopied === 1 ? 'y' : 'ies'} copied to the report side`,
    );
  }
  return lines.join('\n');
}

/** The reapply in words: rows found again and removed, per table. */
function describeReapply(r: ReapplyResult): string {
  const part = (what: string, w: ReapplyResult['source']) =>
    `${what}: ${w.matched} row(s) the ledger names removed${w.cascaded ? ` (+${w.cascaded} by cascades)` : ''}${Object.keys(w.byTable).length ? ` — ${Object.entries(w.byTable).map(([t, n]) => `${t} ${n}`).join(', ')}` : ''}`;
  const lines = [`${r.sourceSchema}: ${r.entries} erasure(s) in the ledger applied again`, part('  source', r.source)];
  if (r.archive) lines.push(part('  archive', r.archive));
  lines.push(r.publish.sync === 'none' ? 'mirrors and reports: nothing to publish' : `mirrors and reports: published by a${r.publish.sync === 'incremental' ? 'n incremental' : ' full'} sync`);
  return lines.join('\n');
}

/** `dualpipe forget --where … --reason …`: erase a subject from the source, archive, mirrors and reports, recording keyed hashes in the erasure ledger. */
export function registerForgetCommand(program: Command, ctx: GetContext): void {
  program
    .command('forget')
    .description('erase the rows --where selects and every row that depends on them through ON DELETE CASCADE keys from the source, the archive, the mirrors and the reports; record the erasure (keyed hashes, never the data) in the erasure ledger')
    .option('--where <filter>', 'root rows of one table, e.g. "contacts.id IN (17, 42)" (=, IN, BETWEEN, <, <=, >, >=, AND); never logged or stored')
    .option('--reason <text>', 'why (recorded in the ledger), e.g. "GDPR request 2026-118"')
    .option('--reapply', 'apply every erasure in the ledger again to the live source and archive and publish (after a point-in-time replay or an import); no --where')
    .option('--erasure-key-file <file>', 'the erasure key (32 bytes, 64 hex digits or base64; `dualpipe backup keygen FILE`); default $DUALPIPE_ERASURE_KEY_FILE; not needed with --dry-run')
    .option('--archive-schema <name>', 'the archive schema to erase from too (default <source>_archive, when it exists)')
    .option('--chunk-rows <n>', 'root rows per source transaction (default: all in one)', parsePositiveInt('--chunk-rows', 1_000_000))
    .option('--dry-run', 'print the per-table counts (and the SET NULL references that would be nulled); change nothing')
    .option('--yes', 'do not ask for confirmation (needed without a terminal)')
    .option('--wait-lock <seconds>', 'how long the publishing sync waits for a running sync (default 600)', (t: string) => {
      const n = Number(t);
      if (!Number.isInteger(n) || n < 0 || n > 86_400) throw new UsageError(`invalid --wait-lock "${t}"`, { hint: 'use a whole number of seconds from 0 to 86400' });
      return n;
    }, 600)
    .addHelpText('after', '\nExit codes: 0 erased (or nothing to forget), 1 failed (the output says where the subject still is; a rerun finishes), 2 bad filter, no key, another key, or a RESTRICT referrer (nothing changed), 4 an archive or forget of this source is running.')
    .action(async (flags: ForgetFlags) => {
      const c = ctx();
      const { reapplyErasures, runForget } = await import('../../api/ops.js');
      if (flags.reapply) {
        if (flags.where !== undefined || flags.reason !== undefined || flags.dryRun) throw new UsageError('--reapply takes no --where, --reason or --dry-run', { hint: 'it applies the whole ledger again' });
        const { erasureKey } = await erasureKeyFromFlag(c, flags.erasureKeyFile);
        if (!erasureKey) throw new UsageError('forget --reapply: no erasure key: pass --erasure-key-file FILE or set DUALPIPE_ERASURE_KEY_FILE', { hint: 'nothing changed' });
        const r = await reapplyErasures({
          pipeline: c.pipeline,
          key: erasureKey,
          ...(flags.archiveSchema ? { archiveSchema: flags.archiveSchema } : {}),
          sync: { ...syncOptions(c, {}), waitForLockSeconds: flags.waitLock },
        });
        c.print(r, () => describeReapply(r));
        return;
      }
      if (flags.where === undefined || flags.reason === undefined) throw new UsageError('forget: --where and --reason are required', { hint: 'e.g. dualpipe forget --where "contacts.id IN (17)" --reason "GDPR request 2026-118"' });
      if (flags.reason.trim() === '') throw new UsageError('--reason must not be empty', { hint: 'say why, e.g. --reason "GDPR request 2026-118"' });
      const { erasureKey: key } = await erasureKeyFromFlag(c, flags.erasureKeyFile);
      if (!flags.dryRun && !key)
        throw new UsageError('forget: no erasure key: pass --erasure-key-file FILE or set DUALPIPE_ERASURE_KEY_FILE', { hint: 'nothing changed; make a key with `dualpipe backup keygen FILE` and keep it with the backup key' });
      const base = {
        pipeline: c.pipeline,
        where: flags.where,
        reason: flags.reason,
        ...(key ? { key } : {}),
        ...(flags.archiveSchema ? { archiveSchema: flags.archiveSchema } : {}),
        ...(flags.chunkRows ? { chunkRows: flags.chunkRows } : {}),
        logger: c.logger,
      };
      if (!flags.dryRun && !flags.yes) {
        // The counts first (bad filters and RESTRICT referrers fail here, before the question).
        const dry = await runForget({ ...base, dryRun: true });
        if (dry.nothingToForget) {
          c.print(dry, () => describe(dry));
          return;
        }
        c.io.stderr.write(`${describe(dry)}\n`);
        if (!(await confirm(c, `erase these rows from ${dry.sourceSchema}, its archive, mirrors and reports (this cannot be undone)`, false)))
          throw new UsageError('forget: not confirmed', { hint: 'nothing changed' });
      }
      const result = await runForget({ ...base, dryRun: flags.dryRun === true, sync: { ...syncOptions(c, {}), waitForLockSeconds: flags.waitLock } });
      c.print(result, () => describe(result));
    });
}
