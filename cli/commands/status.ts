import type { Command } from 'commander';
import type { AgeThreshold, CheckThresholds, CheckVerdict, PipelineStatus, Severity } from '../../api/index.js';
import {
  CheckVerdictError,
  decideCheck,
  DEFAULT_CHECK_THRESHOLDS,
  describeLockHolder,
  MissingSchemaError,
  parseAgeThreshold,
  parseDuration,
  singleVerdict,
  StaleError,
  UsageError,
} from '../../api/light.js';
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
  const failed = s.lastRuns.filter((r) => r.status === 'failed' || r.status === 'aborted');
  if (failed.length) lines.push('last run FAILED:');
  for (const r of failed) lines.push(`  ${r.kind.padEnd(13)} #${String(r.id).padEnd(5)} ${r.status.padEnd(8)} ${when(r.startedAt)}  ${r.error ?? ''}`);
  lines.push(s.running.length ? 'running:' : 'running: none');
  for (const r of s.running) lines.push(`  ${r.kind.padEnd(13)} #${String(r.id).padEnd(5)} since ${when(r.startedAt)}${r.host ? ` on ${r.host} (pid ${r.pid})` : ''}`);
  if (s.archive) {
    const a = s.archive;
    lines.push(`archive ${a.schema}:${a.tables.length ? '' : ' no tables'}`);
    for (const t of a.tables) lines.push(`  ${t.table.padEnd(30)} ${String(t.rows).padStart(10)} rows  ${(t.bytes / 1024 / 1024).toFixed(1)} MB`);
    for (const r of a.runs)
      lines.push(`  ${r.kind.padEnd(9)} ${r.runId.slice(0, 8)} started ${when(r.startedAt)}  ${r.chunks} chunk(s), ${r.rows} row(s)${r.openChunks ? `  ${r.openChunks} OPEN` : ''}`);
    if (a.openChunks.length) lines.push(`  ${a.openChunks.length} chunk(s) left open by a killed run: run \`dualpipe ${a.openChunks[0]!.kind}\` again to finish them`);
  }
  lines.push(`sync lock: ${s.lockHolder ? `held by ${describeLockHolder(s.lockHolder)}` : 'free'}`);
  if (maxAge !== undefined) lines.push(s.stale.length ? `STALE (older than ${age(maxAge)}): ${s.stale.join(', ')}` : `every report table is younger than ${age(maxAge)}`);
  return lines.join('\n');
}

/** The flags of `status`. */
interface StatusFlags {
  maxAge?: string;
  check?: boolean;
  dataAge?: string;
  backupAge?: string;
  restoreTestAge?: string;
  failedRun?: string;
  drift?: string;
}

/** The thresholds of `--check` from the flags (defaults for those not given). */
function thresholds(flags: StatusFlags): CheckThresholds {
  const ageFlag = (name: string, text: string | undefined, fallback: AgeThreshold): AgeThreshold => {
    if (text === undefined) return fallback;
    const t = parseAgeThreshold(text, parseDuration);
    if (!t) throw new UsageError(`invalid ${name} "${text}"`, { hint: 'use WARN[,CRIT] durations such as 2h,6h (or ,6h, or off)' });
    return t;
  };
  const severity = (name: string, text: string | undefined, fallback: Severity): Severity => {
    if (text === undefined) return fallback;
    if (text === 'warning' || text === 'critical' || text === 'ignore') return text;
    throw new UsageError(`invalid ${name} "${text}"`, { hint: 'use warning, critical or ignore' });
  };
  const d = DEFAULT_CHECK_THRESHOLDS;
  return {
    dataAge: ageFlag('--data-age', flags.dataAge, d.dataAge),
    backupAge: ageFlag('--backup-age', flags.backupAge, d.backupAge),
    restoreTestAge: ageFlag('--restore-test-age', flags.restoreTestAge, d.restoreTestAge),
    failedRun: severity('--failed-run', flags.failedRun, d.failedRun),
    drift: severity('--drift', flags.drift, d.drift),
  };
}

/** `dualpipe status [--max-age 2h] [--check …]`. */
export function registerStatusCommand(program: Command, ctx: GetContext): void {
  program
    .command('status')
    .description('freshness of every report table, recent syncs, last backup and verify, failed and running runs, the lock holder')
    .option('--max-age <duration>', 'exit 3 when a report table is older than this (e.g. 90m, 2h, 1d)')
    .option('--check', 'a monitoring check (Nagios/Icinga): one DUALPIPE OK|WARNING|CRITICAL|UNKNOWN line first, exit 0|1|2|3')
    .option('--data-age <warn[,crit]>', 'with --check: time since the last successful sync (default 2h,6h; off)')
    .option('--backup-age <warn[,crit]>', 'with --check: time since the last successful backup (default 26h,50h; off)')
    .option('--restore-test-age <warn[,crit]>', 'with --check: time since the last backup verify --restore-test (default 8d; off)')
    .option('--failed-run <level>', 'with --check: the newest run of a kind failed: warning, critical or ignore (default warning)')
    .option('--drift <level>', 'with --check: the last verify found drift: warning, critical or ignore (default critical)')
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 2 usage or the source schema does not exist, 3 a report table is older than --max-age.' +
        '\nWith --check: 0 OK, 1 WARNING, 2 CRITICAL (a missing schema too), 3 UNKNOWN (the status could not be read, or a bad flag).',
    )
    .action(async (flags: StatusFlags) => {
      const c = ctx();
      if (flags.check) return check(c, flags);
      let maxAge: number | undefined;
      if (flags.maxAge !== undefined) {
        maxAge = parseDuration(flags.maxAge);
        if (maxAge === undefined) throw new UsageError(`invalid --max-age "${flags.maxAge}"`, { hint: 'use e.g. 90s, 30m, 2h or 1d' });
      }
      const { pipelineStatus } = await import('../../api/status.js');
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

/** `status --check`: every outcome is a verdict line and a plugin exit code, errors included. */
async function check(c: ReturnType<GetContext>, flags: StatusFlags): Promise<void> {
  let verdict: CheckVerdict;
  let s: PipelineStatus | undefined;
  const { pipelineStatus } = await import('../../api/status.js');
  try {
    const t = thresholds(flags);
    s = await pipelineStatus(c.pipeline);
    verdict = decideCheck(s, t);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // No schema is no data: as bad as it gets. Anything else means the state is not known.
    verdict = singleVerdict(error instanceof MissingSchemaError ? 'CRITICAL' : 'UNKNOWN', message);
  }
  const v = verdict;
  c.print(s ? { ...s, check: v } : { check: v }, () => (s ? `${v.summary}\n${describe(s, undefined)}` : v.summary));
  if (v.code !== 0) throw new CheckVerdictError(v.summary, v.code);
}
