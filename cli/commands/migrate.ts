import type { Command } from 'commander';
import type { GetContext } from '../context.js';

/** `dualpipe migrate [--status]`: create or upgrade the InnoDB CRM schema. */
export function registerMigrateCommand(program: Command, ctx: GetContext): void {
  program
    .command('migrate')
    .description('create or upgrade the InnoDB CRM schema (knex migrations); idempotent')
    .option('--status', 'list applied and pending migrations instead of applying')
    .action(async (opts: { status?: boolean }) => {
      const c = ctx();
      const target = c.config.source;
      if (opts.status) {
        const { migrationStatus } = await import('../../api/schema.js');
        const rows = await migrationStatus(target);
        c.print({ schema: target.database, migrations: rows }, () =>
          rows
            .map(
              (r) =>
                `${r.applied ? 'applied' : 'pending'}  ${r.name}${r.appliedAt ? `  (${r.appliedAt})` : ''}`,
            )
            .join('\n'),
        );
        return;
      }
      const { migrate } = await import('../../api/schema.js');
      const result = await migrate(target, { logger: c.logger });
      c.print({ schema: target.database, ...result }, () =>
        result.applied.length === 0
          ? `schema ${target.database} is up to date (${result.alreadyApplied.length} migrations already applied)`
          : `applied ${result.applied.length} migration(s) to ${target.database}: ${result.applied.join(', ')}`,
      );
    });
}
