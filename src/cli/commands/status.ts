import type { Command } from 'commander';
import { parseDuration, type PipelineStatus, readStatus } from '../../../sync/read-status.js';
import { StaleError, UsageError } from '../../errors.js';
import type { GetContext } from '../run-cli.js';

function age(seconds: number | null): string {
  if (seconds === null) return 'never';
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

function describe(s: PipelineStatus): string {
  const lines = [`report schema ${s.reportSchema}`];
  if (s.tables.length === 0) lines.push('no successful sync yet: run `dualpipe sync`');
  for (const t of s.tables) lines.push(`  ${t.table.padEnd(30)} ${t.kind.padEnd(7)} refreshed ${t.refreshedAt ?? 'never'} (${age(t.ageSeconds)} ago)`);
  lines.push('last syncs:');
  for (const r of s.recentSyncs) {
    lines.push(`  #${r.id} ${r.status.padEnd(9)} ${r.startedAt}  ${r.seconds === null ? '' : `${r.seconds.toFixed(1)} s`}${r.error ? `  ${r.error}` : ''}`);
  }
  lines.push(
    s.lastBackup
      ? `last backup: #${s.lastBackup.id} ${s.lastBackup.finishedAt} ${s.lastBackup.dir ?? ''} (${s.lastBackup.verified ? 'verified' : 'not verified'})`
      : 'last backup: none',
  );
  lines.push(s.lastVerify ? `last verify: ${s.lastVerify.finishedAt} ${s.lastVerify.ok ? 'ok' : 'DRIFT'}` : 'last verify: none');
  if (s.stale.length) lines.push(`STALE: ${s.stale.join(', ')}`);
  return lines.join('\n');
}

/** `dualpipe status [--max-age 2h]`. */
export function registerStatusCommand(program: Command, ctx: GetContext): void {
  program
    .command('status')
    .description('freshness of every report table, recent syncs, last backup and verify; --max-age for monitoring')
    .option('--max-age <duration>', 'exit 3 when a report table is older than this (e.g. 90m, 2h, 1d)')
    .addHelpText('after', '\nExit codes: 0 ok, 3 a report table is older than --max-age.')
    .action(async (flags: { maxAge?: string }) => {
      const c = ctx();
      let maxAge: number | undefined;
      if (flags.maxAge !== undefined) {
        maxAge = parseDuration(flags.maxAge);
        if (maxAge === undefined) throw new UsageError(`invalid --max-age "${flags.maxAge}"`, { hint: 'use e.g. 90s, 30m, 2h or 1d' });
      }
      const conn = await c.report().connect({ database: null });
      let s: PipelineStatus;
      try {
        s = await readStatus(conn, c.config.report.database, new Date(), maxAge);
      } finally {
        await conn.close();
      }
      c.print(s, () => describe(s));
      if (maxAge !== undefined && (s.stale.length > 0 || s.tables.length === 0)) {
        throw new StaleError(
          s.tables.length === 0 ? 'no report table has been built yet' : `report tables older than ${flags.maxAge}: ${s.stale.join(', ')}`,
          { hint: 'check the scheduled sync (`dualpipe status`, logs)' },
        );
      }
    });
}
