/**
 * `dualpipe status --check`: the verdict of a monitoring check, Nagios/Icinga style (0 OK,
 * 1 WARNING, 2 CRITICAL, 3 UNKNOWN), decided from a `PipelineStatus` and the thresholds. Pure: the
 * status carries its own `now`, so the verdict tests without a server or a clock.
 */
import type { PipelineStatus } from './status.js';

/** A check's state, as Nagios and Icinga name them. */
export type CheckState = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';

/** The plugin exit code of each state (the Nagios plugin API). */
export const CHECK_EXIT_CODES: Readonly<Record<CheckState, 0 | 1 | 2 | 3>> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

/** An age limit: WARNING past `warnSeconds`, CRITICAL past `critSeconds`; a limit left out is off. */
export interface AgeThreshold {
  warnSeconds?: number;
  critSeconds?: number;
}

/** How bad a finding is: `ignore` leaves it out of the verdict. */
export type Severity = 'warning' | 'critical' | 'ignore';

/** The thresholds of `status --check`. */
export interface CheckThresholds {
  /** Time since the last successful sync (full or incremental). */
  dataAge: AgeThreshold;
  /** Time since the last successful backup. */
  backupAge: AgeThreshold;
  /** Time since the last successful `backup verify --restore-test`. */
  restoreTestAge: AgeThreshold;
  /** The newest run of some kind failed (or was aborted). */
  failedRun: Severity;
  /** The newest `verify` found mirrors that differ from the source. */
  drift: Severity;
}

/** The defaults: an hourly sync, a daily backup, a weekly restore test. */
export const DEFAULT_CHECK_THRESHOLDS: CheckThresholds = {
  dataAge: { warnSeconds: 2 * 3600, critSeconds: 6 * 3600 },
  backupAge: { warnSeconds: 26 * 3600, critSeconds: 50 * 3600 },
  restoreTestAge: { warnSeconds: 8 * 86400 },
  failedRun: 'warning',
  drift: 'critical',
};

/** One finding that makes the check worse than OK. */
export interface CheckProblem {
  state: 'WARNING' | 'CRITICAL';
  text: string;
}

/** The verdict: state, exit code, the one summary line monitors show, and every finding. */
export interface CheckVerdict {
  state: CheckState;
  code: 0 | 1 | 2 | 3;
  /** `DUALPIPE OK - …` / `DUALPIPE CRITICAL - …`, with Nagios performance data after `|`. */
  summary: string;
  problems: CheckProblem[];
}

/** Seconds in words: 90 s, 12 min, 3.5 h, 2.0 d. */
export function ageText(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

const rank: Record<CheckState, number> = { OK: 0, WARNING: 1, UNKNOWN: 2, CRITICAL: 3 };

/** A verdict that is one state and one line: UNKNOWN when the status could not be read, CRITICAL for a missing schema. */
export function singleVerdict(state: CheckState, text: string): CheckVerdict {
  return { state, code: CHECK_EXIT_CODES[state], summary: `DUALPIPE ${state} - ${text}`, problems: state === 'OK' || state === 'UNKNOWN' ? [] : [{ state, text }] };
}

/** Decides the check from the status and the thresholds. Pure. */
export function decideCheck(s: PipelineStatus, t: CheckThresholds = DEFAULT_CHECK_THRESHOLDS): CheckVerdict {
  const now = Date.parse(s.now);
  const ageOf = (at: string | null) => (at === null ? null : Math.max(0, (now - Date.parse(`${at.replace(' ', 'T')}Z`)) / 1000));
  const problems: CheckProblem[] = [];
  const perf: string[] = [];
  const severity = (v: Severity): CheckProblem['state'] | null => (v === 'ignore' ? null : v === 'critical' ? 'CRITICAL' : 'WARNING');
  const age = (what: string, perfName: string, at: string | null, limit: AgeThreshold, never: string) => {
    const seconds = ageOf(at);
    if (seconds !== null) perf.push(`${perfName}=${Math.round(seconds)}s;${limit.warnSeconds ?? ''};${limit.critSeconds ?? ''}`);
    const over = (l: number | undefined) => l !== undefined && (seconds === null || seconds > l);
    const state = over(limit.critSeconds) ? 'CRITICAL' : over(limit.warnSeconds) ? 'WARNING' : null;
    if (!state) return;
    const l = state === 'CRITICAL' ? limit.critSeconds! : limit.warnSeconds!;
    problems.push({ state, text: seconds === null ? never : `${what} ${ageText(seconds)} old (limit ${ageText(l)})` });
  };
  age('data', 'data_age', s.lastSyncAt, t.dataAge, 'no successful sync yet');
  age('last backup', 'backup_age', s.lastBackup?.finishedAt ?? null, t.backupAge, 'no successful backup yet');
  age('last restore test', 'restore_test_age', s.lastRestoreTest?.finishedAt ?? null, t.restoreTestAge, 'no restore test yet');
  const drift = s.lastVerify && !s.lastVerify.ok && s.lastVerify.drift.length > 0;
  const driftState = severity(t.drift);
  if (drift && driftState) problems.push({ state: driftState, text: `verify #${s.lastVerify!.id} found drift in ${s.lastVerify!.drift.join(', ')}` });
  const failedState = severity(t.failedRun);
  for (const r of s.lastRuns) {
    if (r.status !== 'failed' && r.status !== 'aborted') continue;
    if (r.kind === 'verify' && drift) continue; // said above, at its own severity
    if (failedState) problems.push({ state: failedState, text: `last ${r.kind} ${r.status} (#${r.id} ${r.startedAt.slice(0, 19)}${r.error ? `: ${r.error}` : ''})` });
  }
  const state = problems.reduce<CheckState>((worst, p) => (rank[p.state] > rank[worst] ? p.state : worst), 'OK');
  const sorted = [...problems].sort((a, b) => rank[b.state] - rank[a.state]);
  const dataAge = ageOf(s.lastSyncAt);
  const text = sorted.length
    ? sorted.map((p) => p.text).join('; ')
    : `data ${dataAge === null ? 'never synced' : `${ageText(dataAge)} old`}, no failed run, no drift`;
  return { state, code: CHECK_EXIT_CODES[state], summary: `DUALPIPE ${state} - ${text}${perf.length ? ` | ${perf.join(' ')}` : ''}`, problems: sorted };
}

/**
 * Parses an age threshold flag: `WARN[,CRIT]` durations (`2h`, `2h,6h`, `,6h` for CRITICAL only)
 * or `off`. `parse` reads one duration (status.ts `parseDuration`); undefined when malformed.
 */
export function parseAgeThreshold(text: string, parse: (d: string) => number | undefined): AgeThreshold | undefined {
  if (text.trim().toLowerCase() === 'off') return {};
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length > 2) return undefined;
  const [w, c] = parts;
  const out: AgeThreshold = {};
  if (w) {
    const v = parse(w);
    if (v === undefined) return undefined;
    out.warnSeconds = v;
  }
  if (c) {
    const v = parse(c);
    if (v === undefined) return undefined;
    out.critSeconds = v;
  }
  if (out.warnSeconds === undefined && out.critSeconds === undefined) return undefined;
  return out;
}
