/**
 * The throttle runs call between chunks and batches: `await throttle.check(signal)`. Over a
 * `--max-load` limit (or `--max-lag`) it pauses, re-reading the server every second, and returns
 * once all are under again; over a `--critical-load` limit it throws `ThrottleError`, which the
 * run's usual abort path turns into "nothing changed". Readings are cached for a second, so a run
 * that passes a thousand chunks a second still asks the server once; concurrent callers (parallel
 * table copies) share one reading and one pause. With `--nice-ratio r` every check first sleeps r
 * times the time since the previous check returned (the work done since), reading nothing.
 */
import type { SqlConnection, SqlConnector } from '../db/connection.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { emitRunEvent } from '../log/run-events.js';
import { readReplicaLag, readServerLoad } from './server-load.js';
import { ThrottleError } from './throttle-error.js';
import { DEFAULT_MAX_PAUSE_SECONDS, hasLimits, type LoadLimit, type ThrottleLimits } from './throttle-limits.js';

/** How much a run was throttled, for its result and run-history details. */
export interface ThrottleStats {
  /** Pauses taken (one per time the load went over and came back under). */
  pauses: number;
  /** Seconds spent paused, in total. */
  pauseSeconds: number;
  /** Seconds spent in `--nice-ratio` pauses (only when a ratio is set). */
  niceSeconds?: number;
}

/** What a throttle needs: the limits, the server whose load counts, and who is asking. */
export interface ThrottleOptions {
  limits: ThrottleLimits | undefined;
  /** The server whose load counts (the throttle opens one session of its own, on first need). */
  connector: SqlConnector;
  /** That server in words, for messages: `source`, `report server`, `restore target`. */
  server: string;
  /** The run kind for the `throttle-pause` event (sync, incremental, backup, restore). */
  kind: string;
  logger?: Logger;
  /** How often a pause re-reads the server, and how long a reading stays fresh (default 1000 ms). */
  intervalMs?: number;
  /** Milliseconds since some epoch (tests pass their own). */
  now?: () => number;
}

/** The throttle of one run. */
export interface Throttle {
  /** Waits while the server is over a limit; throws ThrottleError over a critical one or a too-long pause. */
  check(signal?: AbortSignal): Promise<void>;
  /** Pauses so far. */
  stats(): ThrottleStats;
  /** Closes the throttle's session. Safe to call twice. */
  close(): Promise<void>;
}

/** What one reading found: the first critical excess and the first ordinary one, in words. */
interface Verdict {
  critical?: string;
  over?: string;
}

/** A throttle that never waits (no limits given): no session, no cost. */
const noThrottle: Throttle = {
  check: () => Promise.resolve(),
  stats: () => ({ pauses: 0, pauseSeconds: 0 }),
  close: () => Promise.resolve(),
};

function firstExcess(limits: readonly LoadLimit[] | undefined, load: Map<string, number>, server: string, flag: string): string | undefined {
  for (const l of limits ?? []) {
    const value = load.get(l.name.toLowerCase());
    // A typo must not throttle nothing in silence.
    if (value === undefined)
      throw new ThrottleError('critical-load', l.name, `${flag}: the ${server} has no status variable ${l.name}`, 'check the name in SHOW GLOBAL STATUS');
    if (value > l.limit) return `${l.name}=${value} > ${l.limit}`;
  }
  return undefined;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The run's throttle; a no-op when `limits` limit nothing. */
export function createThrottle(o: ThrottleOptions): Throttle {
  const limits = o.limits;
  if (!limits || !hasLimits(limits)) return noThrottle;
  const log = o.logger ?? silentLogger;
  const now = o.now ?? Date.now;
  const interval = o.intervalMs ?? 1000;
  const maxPause = limits.maxPauseSeconds ?? DEFAULT_MAX_PAUSE_SECONDS;
  const names = [...new Set([...(limits.maxLoad ?? []), ...(limits.criticalLoad ?? [])].map((l) => l.name))];
  const readsServer = names.length > 0 || limits.maxLagSeconds !== undefined;
  const nice = limits.niceRatio ?? 0;
  const stats: ThrottleStats = { pauses: 0, pauseSeconds: 0, ...(nice > 0 ? { niceSeconds: 0 } : {}) };
  /** When the last check returned: the work since then is what a nice pause is measured against. */
  let lastReturn: number | undefined;
  let session: Promise<SqlConnection> | undefined;
  let cached: { at: number; verdict: Promise<Verdict> } | undefined;
  let pausing: Promise<void> | undefined;
  let closed = false;

  async function readVerdict(): Promise<Verdict> {
    if (!readsServer) return {};
    session ??= o.connector.connect();
    const s = await session;
    const load = await readServerLoad(s, names);
    const critical = firstExcess(limits!.criticalLoad, load, o.server, '--critical-load');
    if (critical) return { critical };
    let over = firstExcess(limits!.maxLoad, load, o.server, '--max-load');
    if (!over && limits!.maxLagSeconds !== undefined) {
      const lag = await readReplicaLag(s);
      if (lag !== null && lag > limits!.maxLagSeconds)
        over = lag === Infinity ? 'replica lag unknown (replication stopped)' : `replica lag ${lag} s > ${limits!.maxLagSeconds} s`;
    }
    return over ? { over } : {};
  }

  /** The reading at most `interval` old (one in flight is shared). */
  function reading(fresh = false): Promise<Verdict> {
    const t = now();
    if (fresh || !cached || t - cached.at >= interval) {
      cached = { at: t, verdict: readVerdict() };
      // A failed reading is not kept: the next check asks again.
      const c = cached;
      c.verdict.catch(() => {
        if (cached === c) cached = undefined;
      });
    }
    return cached.verdict;
  }

  function criticalError(reason: string): ThrottleError {
    return new ThrottleError(
      'critical-load',
      reason,
      `critical load on the ${o.server}: ${reason} (--critical-load); the run stopped and changed nothing`,
      'run again when the server is less busy, or raise --critical-load (throttle.criticalLoad)',
    );
  }

  async function pause(firstReason: string, signal: AbortSignal | undefined): Promise<void> {
    const started = now();
    let reason = firstReason;
    let resumed = false;
    log.warn({ reason, server: o.server }, `throttled: ${reason}, pausing`);
    try {
      for (;;) {
        if (signal?.aborted || closed) return;
        if ((now() - started) / 1000 >= maxPause)
          throw new ThrottleError(
            'max-pause',
            reason,
            `throttled for ${((now() - started) / 1000).toFixed(0)} s, the longest pause allowed (--max-pause ${maxPause} s): ${reason} on the ${o.server}`,
            'run again when the server is less busy, or raise --max-load / --max-pause (throttle.maxPause)',
          );
        await sleep(interval, signal);
        const v = await reading(true);
        if (v.critical) throw criticalError(v.critical);
        if (!v.over) {
          resumed = true;
          return;
        }
        reason = v.over;
      }
    } finally {
      const seconds = (now() - started) / 1000;
      stats.pauses += 1;
      stats.pauseSeconds += seconds;
      if (resumed) log.info({ seconds, server: o.server }, `resumed after ${seconds.toFixed(1)} s`);
      emitRunEvent({ type: 'throttle-pause', kind: o.kind, reason: firstReason, seconds });
    }
  }

  return {
    async check(signal) {
      if (nice > 0 && lastReturn !== undefined && !signal?.aborted && !closed) {
        // Parallel callers each pause `nice` times the time since the run's last check.
        const ms = (now() - lastReturn) * nice;
        await sleep(ms, signal);
        stats.niceSeconds! += ms / 1000;
      }
      try {
        if (pausing) await pausing;
        if (signal?.aborted || closed) return;
        const v = await reading();
        if (v.critical) throw criticalError(v.critical);
        if (!v.over) return;
        // Parallel callers wait on the one pause that is already under way.
        if (!pausing) {
          const p = pause(v.over, signal).finally(() => {
            if (pausing === p) pausing = undefined;
          });
          pausing = p;
        }
        await pausing;
      } finally {
        lastReturn = now();
      }
    },
    stats: () => ({
      ...stats,
      pauseSeconds: Math.round(stats.pauseSeconds * 10) / 10,
      ...(stats.niceSeconds !== undefined ? { niceSeconds: Math.round(stats.niceSeconds * 10) / 10 } : {}),
    }),
    async close() {
      closed = true;
      const s = session;
      session = undefined;
      if (s) await (await s.catch(() => undefined))?.close();
    },
  };
}
