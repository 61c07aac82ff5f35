import type { Command } from 'commander';
import { parseDuration, type PipelineStatus, pipelineStatus, StaleError, UsageError } from '../../api/index.js';
import type { GetContext } from '../context.js';

function age(seconds: number | null): string {
  if (seconds === null) return 'never';
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

/** History times to the second, for humans (the JSON keeps the microseconds). */
const when = (at: string | null) => (at === null ? 'never' : at.slice(0, 19));

const ageOf = (s: PipelineStatus, at: string | null) =>
  at === null ? 'never' : `${age(Math.max(0, (Date.parse(s.now) - Date.parse(`${at.replace(' ', 'T')}Z`)) / 1000))} ago`;

function describe(s: PipelineStatus, maxAge: number | undefined): string {
  const lines = [`report schema ${s.reportSchema}`];
  if (s.tables.length === 0) lines.push('no successful sync yet: run `dualpipe sync`');
  for (const t of s.tables) {
    const stale = s.stale.includes(t.table) ? '  STALE' : '';
    lines.push(`  ${t.table.padEnd(30)} ${t.kind.padEnd(7)} refreshed ${when(t.refreshedAt)} (${age(t.ageSeconds)} ago)${stale}`);
  }
  lines.push(s.recentSyncs.length ? 'last syncs:' : 'last syncs: none');
  for (const r of s.recentSyncs) {
    const took = r.seconds === null ? (r.status === 'running' ? 'running' : '') : `took ${r.seconds.toFixed(1)} s`;
    lines.push(`  #${String(r.id).padEnd(5)} ${r.status.padEnd(9)} ${(r.strategy ?? '').padEnd(11)} started ${when(r.startedAt)}  ${took}${r.error ? `  ${r.error}` : ''}`);
  }
  const b = s.lastBackup;
  const verified = !b ? '' : b.verified === null ? 'not verified' : b.verified ? `verified ${when(b.verifiedAt)}` : `VERIFY FAILED ${when(b.verifiedAt)}`;
  lines.push(b ? `last backup: #${b.id} finished ${when(b.finishedAt)} (${ageOf(s, b.finishedAt)}) ${b.dir ?? ''}  ${verified}` : 'last backup: none');
  const v = s.lastVerify;
  lines.push(
    v
      ? `last verify: #${v.id} finished ${when(v.finishedAt)} (${ageOf(s, v.finishedAt)}) ${v.ok ? 'ok: mirrors equal the source' : `DRIFT${v.drift.length ? ` in ${v.drift.join(', ')}` : ''}${v.error && !v.drift.length ? ` (${v.error})` : ''}`}`
      : 'last verify: none',
  );
  if (maxAge !== undefined) lines.push(s.stale.length ? `STALE (older than ${age(maxAge)}): ${s.stale.join(', ')}` : `every report table is younger than ${age(maxAge)}`);
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
      const s = await pipelineStatus(c.pipeline, maxAge === undefined ? {} : { maxAgeSeconds: maxAge });
      c.print(s, () => describe(s, maxAge));
      if (maxAge !== undefined && (s.stale.length > 0 || s.tables.length === 0)) {
        throw new StaleError(
          s.tables.length === 0 ? 'no report table has been built yet' : `report tables older than ${flags.maxAge}: ${s.stale.join(', ')}`,
          { hint: 'check the scheduled sync (`dualpipe status`, logs)' },
        );
      }
    });
}
