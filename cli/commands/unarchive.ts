import type { Command } from 'commander';
import type { UnarchiveResult } from '../../api/index.js';
import type { GetContext } from '../context.js';
import { parsePositiveInt } from '../parse-options.js';
import { addThrottleFlags, type ThrottleFlags, throttleLimits } from '../throttle-flags.js';

interface UnarchiveFlags extends ThrottleFlags {
  where: string;
  archiveSchema?: string;
  chunkRows: number;
  dryRun?: boolean;
}

/** The result in words: subjects and rows per table brought back. */
function describe(r: UnarchiveResult): string {
  const verb = r.dryRun ? 'would bring back' : 'brought back';
  const lines = [`${r.root}: ${verb} ${r.subjects} subject(s) in ${r.chunks} chunk(s) from ${r.archiveSchema} into ${r.sourceSchema}`];
  if (r.finished.chunks) lines.push(`finished ${r.finished.chunks} chunk(s) a killed run had committed (${r.finished.rows} archive row(s) removed)`);
  for (const t of r.tables) lines.push(`  ${t.table.padEnd(30)} ${String(t.rows).padStart(10)} row(s)`);
  return lines.join('\n');
}

/** `dualpipe unarchive --where …`: move archived root rows and their dependents back into the source. */
export function registerUnarchiveCommand(program: Command, ctx: GetContext): void {
  const cmd = program
    .command('unarchive')
    .description('move archived rows --where selects, with their archived dependents, back into the source: parents first, foreign keys checked, each chunk compared with its archive copy')
    .requiredOption('--where <filter>', 'rows of the archived root table, e.g. "contacts.id IN (12, 13)" (=, IN, BETWEEN, <, <=, >, >=, AND)')
    .option('--archive-schema <name>', 'where the archived rows are (default <source>_archive)')
    .option('--chunk-rows <n>', 'root rows per transaction', parsePositiveInt('--chunk-rows', 100_000), 500)
    .option('--dry-run', 'check and print the per-table counts; change nothing')
    .addHelpText(
      'after',
      '\nA row whose key is live in the source again, or whose foreign key points at a row that no longer exists, refuses the whole run (exit 2, nothing changed).\n' +
        'Exit codes: 0 done (or nothing to do), 1 failed (a rerun finishes committed chunks and continues), 2 bad filter or refused, 4 an archive or unarchive of this source is running.',
    );
  addThrottleFlags(cmd, 'source').action(async (flags: UnarchiveFlags) => {
    const c = ctx();
    const { runUnarchive } = await import('../../api/ops.js');
    const limits = throttleLimits(c.config.throttle, flags);
    const result = await runUnarchive({
      pipeline: c.pipeline,
      where: flags.where,
      ...(flags.archiveSchema ? { archiveSchema: flags.archiveSchema } : {}),
      chunkRows: flags.chunkRows,
      dryRun: flags.dryRun === true,
      ...(limits ? { throttle: limits } : {}),
      logger: c.logger,
    });
    c.print(result, () => describe(result));
  });
}
