import type { Command } from 'commander';
import type { ArchiveResult } from '../../api/index.js';
import { UsageError } from '../../api/light.js';
import type { GetContext } from '../context.js';
import { parsePositiveInt } from '../parse-options.js';
import { addThrottleFlags, type ThrottleFlags, throttleLimits } from '../throttle-flags.js';

interface ArchiveFlags extends ThrottleFlags {
  where: string;
  archiveSchema?: string;
  chunkRows: number;
  onReferenced: 'keep' | 'refuse';
  dryRun?: boolean;
}

/** The result in words: per table the rows moved, then the kept subjects by blocking key. */
function describe(r: ArchiveResult): string {
  const verb = r.dryRun ? 'would move' : 'moved';
  const lines = [`${r.root}: ${verb} ${r.subjects} subject(s) in ${r.chunks} chunk(s) to ${r.archiveSchema}${r.keptSubjects ? `; kept ${r.keptSubjects} still referenced` : ''}`];
  if (r.reconciled.chunks) lines.push(`reconciled ${r.reconciled.chunks} chunk(s) of a killed run (${r.reconciled.rows} uncommitted archive row(s) removed)`);
  for (const t of r.tables) lines.push(`  ${t.table.padEnd(30)} ${String(t.rows).padStart(10)} row(s)`);
  for (const k of r.kept) lines.push(`  kept ${k.subjects} subject(s): referenced through ${k.foreignKey} (${k.table}), e.g. ${r.root} ${k.examples.join(', ')}`);
  return lines.join('\n');
}

/** `dualpipe archive --where …`: move old root rows with their dependents into the archive schema. */
export function registerArchiveCommand(program: Command, ctx: GetContext): void {
  const cmd = program
    .command('archive')
    .description('move the rows --where selects, with every row that depends on them through ON DELETE CASCADE keys, into MyISAM tables of an archive schema')
    .requiredOption('--where <filter>', 'rows of one root table, e.g. "contacts.created_at < NOW() - INTERVAL 2 YEAR" (=, IN, BETWEEN, <, <=, >, >=, AND)')
    .option('--archive-schema <name>', 'where the archived rows go (default <source>_archive; created if missing)')
    .option('--chunk-rows <n>', 'root rows per transaction', parsePositiveInt('--chunk-rows', 100_000), 500)
    .option('--on-referenced <keep|refuse>', 'subjects a live row still references through a RESTRICT/NO ACTION/SET NULL key: keep them (default) or refuse the run (exit 2, nothing changed)', (t: string) => {
      if (t !== 'keep' && t !== 'refuse') throw new UsageError(`invalid --on-referenced "${t}"`, { hint: 'use keep or refuse' });
      return t;
    }, 'keep')
    .option('--dry-run', 'print the per-table counts; change nothing')
    .addHelpText('after', '\nExit codes: 0 archived (or nothing to do), 1 failed (a rerun reconciles and continues), 2 bad filter or refused, 4 another archive of this source is running (nothing changed).');
  addThrottleFlags(cmd, 'source').action(async (flags: ArchiveFlags) => {
    const c = ctx();
    const { runArchive } = await import('../../api/ops.js');
    const result = await runArchive({
      pipeline: c.pipeline,
      where: flags.where,
      ...(flags.archiveSchema ? { archiveSchema: flags.archiveSchema } : {}),
      chunkRows: flags.chunkRows,
      onReferenced: flags.onReferenced,
      dryRun: flags.dryRun === true,
      ...(throttleLimits(c.config.throttle, flags) ? { throttle: throttleLimits(c.config.throttle, flags)! } : {}),
      logger: c.logger,
    });
    c.print(result, () => describe(result));
  });
}
