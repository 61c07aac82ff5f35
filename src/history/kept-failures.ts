/**
 * Failures that could not be written when they happened. A run stopped by its watchdog (a frozen
 * or dead server) cannot write its `failed` row then: its sessions are gone and the server does not
 * answer. A scheduled run that could not even start (the server was down) has no row at all. Such
 * failures are kept here, in this process, and written with their real error at the start of the
 * next recorded run (`markDeadRuns`), so the history, and `status` with it, shows every failure.
 * A process that exits first loses them: the next start's check for dead runs covers that case.
 */
import { AbortedError } from '../errors.js';

/** One failure waiting to be written: an update of run `runId`, or a new row when `runId` is null. */
export interface KeptFailure {
  schema: string;
  runId: number | null;
  /** For a new row: the run's kind, strategy and start. */
  kind?: string;
  strategy?: string;
  startedAt?: Date;
  status: 'failed' | 'aborted';
  error: string;
  finishedAt: Date;
}

/** How a run that threw ends in the history: `aborted` when it was told to stop, else `failed`, with the error's message. */
export function failureOf(error: unknown): { status: 'failed' | 'aborted'; error: string } {
  return { status: error instanceof AbortedError ? 'aborted' : 'failed', error: error instanceof Error ? error.message : String(error) };
}

const kept: KeptFailure[] = [];
/** Errors whose run is in the history (written, or kept to be written): no second row for them. */
const recorded = new WeakSet<object>();

/** Keeps a failure to write later (at most a few hundred; the oldest go first). */
export function keepFailure(failure: KeptFailure): void {
  kept.push(failure);
  if (kept.length > 500) kept.shift();
}

/** Takes the kept failures of `schema` out of the list (the caller writes them, or keeps them again). */
export function takeKeptFailures(schema: string): KeptFailure[] {
  const mine = kept.filter((f) => f.schema === schema);
  for (const f of mine) kept.splice(kept.indexOf(f), 1);
  return mine;
}

/** Notes that `error` ended a run that is (or will be) in the history. */
export function markRecorded(error: unknown): void {
  if (typeof error === 'object' && error !== null) recorded.add(error);
}

/** Whether `error` ended a run that is in the history (see `markRecorded`). */
export function wasRecorded(error: unknown): boolean {
  return typeof error === 'object' && error !== null && recorded.has(error);
}
