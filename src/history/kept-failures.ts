/**
 * Failures that could not be written when they happened. A run stopped by its watchdog (a frozen
 * or dead server) cannot write its `failed` row then: its sessions are gone and the server does not
 * answer. The failure is kept here, in this process, and written with its real error at the start
 * of the next recorded run (`markDeadRuns`), instead of the row being found later and marked as if
 * its process had died. A process that exits first loses them: the next start's check for dead
 * runs covers that case.
 */

/** One failure waiting to be written. */
export interface KeptFailure {
  schema: string;
  runId: number;
  status: 'failed' | 'aborted';
  error: string;
  finishedAt: Date;
}

const kept: KeptFailure[] = [];

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
