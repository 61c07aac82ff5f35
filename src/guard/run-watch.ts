/**
 * The run-scoped stall watchdog and runtime bound. Every statement a run has in flight is an
 * operation here; progress is a row or block arriving or a statement completing. When operations
 * are in flight and nothing progressed for the stall timeout, the server is probed on a fresh
 * session (probe-server.ts): a server that answers is busy (a long `INSERT … SELECT` is silent but
 * working) and the wait goes on; one that does not is frozen, and the run is stopped: every
 * session destroyed (the run lock dies with its session server-side), every pending and later
 * statement failed with one `StallError`. The maximum runtime stops the run without a probe.
 * The clock and ticks are injectable so the timing logic is tested without servers.
 */
import { StallError } from '../errors.js';
import { emitRunEvent } from '../log/run-events.js';
import { formatSeconds } from './duration.js';
import type { ProbeVerdict } from './probe-server.js';

/** The bounds of a run, in ms; 0 disables one. */
export interface WatchLimits {
  stallTimeoutMs: number;
  maxRuntimeMs: number;
}

/** The default stall timeout: long enough for any healthy statement to show progress or a probe to answer. */
export const DEFAULT_STALL_TIMEOUT_MS = 300_000;

/** One statement in flight, as the watch sees it. */
export interface WatchedStatement {
  /** The connector's label (`root@127.0.0.1:3306/crm`), for the message. */
  label: string;
  /** The statement's session on the server (0: unknown). */
  threadId: number;
  sql: string;
  /** Asks the statement's server whether it is alive (probe-server.ts). */
  probe: (threadId: number) => Promise<ProbeVerdict>;
}

/** The handle of a statement in flight: `progress` on each row/block, `end` when it completes or fails. */
export interface WatchedOp {
  progress(): void;
  end(): void;
}

/** Options of a watch. */
export interface RunWatchOptions extends Partial<WatchLimits> {
  /** The run's kind for `run-stalled` (sync, backup, …). */
  kind?: string;
  /** Milliseconds now; default Date.now. */
  now?: () => number;
  /** How often the watch looks (ms); 0: no timer, the caller calls `tick()` (tests). */
  tickMs?: number;
}

interface Pending extends WatchedStatement {
  phase: string | undefined;
}

const active = new Set<RunWatch>();

/**
 * Names what the running runs are doing now (`copying crm.contacts`, `swapping tables`): the line
 * of a stall says it. Costs a field write; without a watch it does nothing.
 */
export function notePhase(label: string): void {
  for (const w of active) w.phase(label);
}

/** The watchdog of one run (or one CLI invocation). */
export class RunWatch {
  private limits: WatchLimits;
  private kind: string;
  private readonly now: () => number;
  private readonly tickMs: number | undefined;
  private started: number;
  private lastProgress: number;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly sessions = new Set<{ destroy(): void }>();
  private current: string | undefined;
  private error: StallError | undefined;
  private rejectTripped: (e: StallError) => void = () => {};
  private probing = false;
  private timer: NodeJS.Timeout | undefined;
  /** Rejects with the `StallError` once the watch stops the run; statements race it. */
  readonly tripped: Promise<never>;

  constructor(options: RunWatchOptions = {}) {
    this.limits = { stallTimeoutMs: options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS, maxRuntimeMs: options.maxRuntimeMs ?? 0 };
    this.kind = options.kind ?? 'run';
    this.now = options.now ?? Date.now;
    this.tickMs = options.tickMs;
    this.started = this.lastProgress = this.now();
    this.tripped = new Promise<never>((_, reject) => (this.rejectTripped = reject));
    this.tripped.catch(() => {});
    this.arm();
  }

  /** Sets the bounds (and kind) of the run about to start; the runtime counts from here. */
  configure(limits: Partial<WatchLimits> & { kind?: string }): void {
    this.limits = { ...this.limits, ...Object.fromEntries(Object.entries(limits).filter(([k, v]) => k !== 'kind' && v !== undefined)) };
    if (limits.kind) this.kind = limits.kind;
    this.started = this.lastProgress = this.now();
    this.arm();
  }

  /** Notes the run's current phase (see `notePhase`). */
  phase(label: string): void {
    this.current = label;
  }

  /** The error that stopped the run, once it is stopped. */
  get failure(): StallError | undefined {
    return this.error;
  }

  /** Throws the `StallError` once the run is stopped. */
  check(): void {
    if (this.error) throw this.error;
  }

  /** A session to destroy when the run is stopped; returns the function that forgets it. */
  addSession(session: { destroy(): void }): () => void {
    this.sessions.add(session);
    return () => this.sessions.delete(session);
  }

  /** A statement starts; throws the `StallError` at once when the run is already stopped. */
  begin(statement: WatchedStatement): WatchedOp {
    if (this.error) throw this.error;
    const id = this.nextId++;
    if (this.pending.size === 0) this.lastProgress = this.now();
    this.pending.set(id, { ...statement, phase: this.current });
    return {
      progress: () => (this.lastProgress = this.now()),
      end: () => {
        this.lastProgress = this.now();
        this.pending.delete(id);
      },
    };
  }

  /** Looks once: stops the run over its runtime, probes after a silence. */
  async tick(): Promise<void> {
    if (this.error || this.probing) return;
    const now = this.now();
    const { stallTimeoutMs, maxRuntimeMs } = this.limits;
    if (maxRuntimeMs > 0 && now - this.started >= maxRuntimeMs) {
      const phase = this.phaseText([...this.pending.values()][0]);
      this.trip('max-runtime', phase, `the run went over its maximum runtime of ${formatSeconds(maxRuntimeMs / 1000)} while ${phase}`);
      return;
    }
    const first = [...this.pending.entries()][0];
    if (!first || stallTimeoutMs <= 0 || now - this.lastProgress < stallTimeoutMs) return;
    const [oldestId, oldest] = first;
    const silentSince = this.lastProgress;
    this.probing = true;
    let verdict: ProbeVerdict;
    try {
      verdict = await oldest.probe(oldest.threadId);
    } finally {
      this.probing = false;
    }
    if (this.error) return;
    // The statement ended (its session then closed: "gone") or moved on while the probe ran: not a
    // stall. Seen in CI on a loaded machine: a copy finished just as its 1 s stall probe asked.
    if (!this.pending.has(oldestId) || this.lastProgress !== silentSince) return;
    if (verdict === 'busy') {
      // The server works on it: wait another stall timeout before asking again.
      this.lastProgress = this.now();
      return;
    }
    const phase = this.phaseText(oldest);
    const why = verdict === 'frozen' ? 'the server did not answer a probe' : `its session ${oldest.threadId} is gone on the server`;
    this.trip('stall', phase, `no progress for ${formatSeconds(Math.round((this.now() - this.lastProgress) / 1000))} while ${phase} on ${oldest.label} (${why})`);
  }

  /** Stops the timer (the run ended); the watch keeps its verdict. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    active.delete(this);
  }

  private phaseText(op: Pending | undefined): string {
    const phase = op?.phase ?? this.current;
    if (phase) return phase;
    if (!op) return 'between statements';
    // Fallback: the statement's first words say roughly what it was doing.
    const sql = op.sql.replace(/\s+/g, ' ').trim();
    return `running "${sql.length > 60 ? `${sql.slice(0, 60)}…` : sql}"`;
  }

  private trip(reason: 'stall' | 'max-runtime', phase: string, line: string): void {
    this.error = new StallError(reason, phase, `${line}; the run was stopped and its sessions closed, which frees its lock`);
    this.stop();
    // destroy(), not close(): close waits for the server's goodbye, which a frozen server never sends.
    for (const s of this.sessions) {
      try {
        s.destroy();
      } catch {
        // Already gone.
      }
    }
    this.sessions.clear();
    emitRunEvent({ type: 'run-stalled', kind: this.kind, cause: reason, phase });
    this.rejectTripped(this.error);
  }

  private arm(): void {
    if (this.error) return;
    active.add(this);
    if (this.tickMs === 0) return;
    const { stallTimeoutMs, maxRuntimeMs } = this.limits;
    const limits = [stallTimeoutMs, maxRuntimeMs].filter((ms) => ms > 0);
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (limits.length === 0) return;
    const every = this.tickMs ?? Math.max(50, Math.min(1000, Math.min(...limits) / 4));
    this.timer = setInterval(() => void this.tick(), every);
    // The watch never keeps a finished process alive.
    this.timer.unref();
  }
}
