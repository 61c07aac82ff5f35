import type { Command } from 'commander';
import { UsageError } from '../../api/light.js';
import type { GetContext } from '../context.js';
import { parsePositiveInt } from '../parse-options.js';
import { createProgress } from '../progress.js';

/** `--scale`: a positive number up to 1000. */
export function parseScale(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n > 1000) {
    throw new UsageError(`invalid --scale "${text}"`, {
      hint: 'use a positive number up to 1000, such as 1 or 0.1',
    });
  }
  return n;
}

function parseSeed(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 32 - 1) {
    throw new UsageError(`invalid --seed "${text}"`, { hint: 'use a whole number from 0 to 4294967295' });
  }
  return n;
}

/** `dualpipe seed --scale N [--seed S]`: deterministic sample CRM data. */
export function registerSeedCommand(program: Command, ctx: GetContext): void {
  program
    .command('seed')
    .description('load deterministic sample CRM data (scale 1 = about 100k contacts, 2-3M rows)')
    .requiredOption('--scale <n>', 'size; fractions allowed (0.1 for a quick try)', parseScale)
    .option('--seed <s>', 'random seed: same seed, same rows', parseSeed, 1)
    .option('--threads <n>', 'parallel loaders', parsePositiveInt('--threads', 32), 2)
    .option('--truncate', 'empty the tables first instead of refusing a schema with data')
    .action(async (opts: { scale: number; seed: number; threads: number; truncate?: boolean }) => {
      const c = ctx();
      const progress = createProgress(c.io, c.logger);
      try {
        const { seed } = await import('../../api/schema.js');
        const result = await seed(c.source(), {
          scale: opts.scale,
          seed: opts.seed,
          threads: opts.threads,
          logger: c.logger,
          ...(opts.truncate ? { truncate: true } : {}),
          onProgress: (p) => progress.update(p.table, p.rows, p.totalRows),
        });
        progress.stop();
        c.print(result, () =>
          [
            ...result.tables.map((t) => `${t.table.padEnd(28)} ${String(t.rows).padStart(10)} rows`),
            `seeded ${result.rows} rows in ${result.seconds.toFixed(1)} s (${Math.round(result.rowsPerSecond)} rows/s)`,
          ].join('\n'),
        );
      } finally {
        progress.stop();
      }
    });
}
