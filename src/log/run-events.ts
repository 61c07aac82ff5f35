/**
 * What runs tell the world besides their logs: typed events on one process-wide bus. The
 * scheduler's metrics (ops/metrics) count them; anything else may listen. Emitting costs nothing
 * when nobody listens, so the data path emits freely, and a listener that throws never fails a run.
 */

/** Rows (and, where known, bytes) a run moved: copied, applied, dumped or loaded. */
export interface DataMovedEvent {
  type: 'data-moved';
  kind: string;
  rows: number;
  bytes?: number;
}

/** A run waited for the run lock (`got` false: it gave up, or found it taken and skipped). */
export interface LockWaitEvent {
  type: 'lock-wait';
  kind: string;
  seconds: number;
  got: boolean;
}

/** A run paused because the server was too busy (throttling), and for how long. */
export interface ThrottlePauseEvent {
  type: 'throttle-pause';
  kind: string;
  /** What was over its limit, e.g. `Threads_running=73 > 50` or `replica lag 12 s > 5 s`. */
  reason: string;
  seconds: number;
}

/** A run was stopped by a watchdog: no progress for too long, or over its maximum runtime. */
export interface RunStalledEvent {
  type: 'run-stalled';
  kind: string;
  /** `stall` or `max-runtime`. */
  cause: 'stall' | 'max-runtime';
  phase: string;
}

/** Every event of the bus. */
export type RunEvent = DataMovedEvent | LockWaitEvent | ThrottlePauseEvent | RunStalledEvent;

/** A listener of the bus. */
export type RunEventListener = (event: RunEvent) => void;

const listeners = new Set<RunEventListener>();

/** Tells every listener; a listener's failure is swallowed (telemetry never fails a run). */
export function emitRunEvent(event: RunEvent): void {
  for (const l of listeners) {
    try {
      l(event);
    } catch {
      // A broken metrics listener must not turn a good sync into a failed one.
    }
  }
}

/** Starts listening; returns the function that stops it. */
export function onRunEvent(listener: RunEventListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
