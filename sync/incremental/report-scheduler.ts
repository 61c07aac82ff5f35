/**
 * Starts each report refresh of an incremental run as soon as every mirror it reads has been
 * written, at most `threads` at a time, so that reports overlap the rest of the mirror work.
 */
import pLimit from 'p-limit';
import type { ReportDefinition } from '../reports/report-definitions.js';

/**
 * Runs `run` once per report, as soon as every mirror the report reads is written (see the file
 * header).
 */
export class ReportScheduler<T> {
  private readonly tasks = new Map<string, Promise<T>>();
  private readonly written = new Set<string>();
  private readonly limit: ReturnType<typeof pLimit>;

  /** With `hold`, nothing starts before `startAll` (a later step may still change the mirrors). */
  constructor(
    private readonly reports: readonly ReportDefinition[],
    threads: number,
    private readonly run: (def: ReportDefinition) => Promise<T>,
    private readonly hold = false,
  ) {
    this.limit = pLimit(Math.max(1, threads));
  }

  /** A mirror is final: start the reports that were waiting only for it. */
  mirrorWritten(table: string): void {
    this.written.add(table);
    if (!this.hold) this.start((def) => def.dependsOn.every((d) => this.written.has(d)));
  }

  /** Starts every report not started yet, and returns all results in the reports' order. */
  async all(): Promise<T[]> {
    this.start(() => true);
    return Promise.all(this.reports.map((def) => this.tasks.get(def.name)!));
  }

  /** Waits for whatever was started, ignoring failures (a failed run cleaning up). */
  async settle(): Promise<void> {
    await Promise.allSettled(this.tasks.values());
  }

  private start(ready: (def: ReportDefinition) => boolean): void {
    for (const def of this.reports) {
      if (this.tasks.has(def.name) || !ready(def)) continue;
      const task = this.limit(() => this.run(def));
      task.catch(() => {});
      this.tasks.set(def.name, task);
    }
  }
}
