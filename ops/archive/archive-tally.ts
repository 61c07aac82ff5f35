/** Counts of an archive run: rows per table, subjects moved and kept, and per blocking key a few kept roots. */
import type { ThrottleStats } from '../../src/guard/throttle.js';
import type { ArchivePlan } from './plan-archive.js';
import type { Reconciled } from './reconcile.js';
import type { ArchiveResult, KeptReport } from './archive-result.js';
import type { Subjects } from './walk-subjects.js';

const EXAMPLES = 5;

/** Adds up the chunks of a run. */
export class ArchiveTally {
  private readonly rows = new Map<string, number>();
  private readonly kept = new Map<string, KeptReport>();
  /** Subjects that go (or would go). */
  subjects = 0;
  /** Subjects kept because live rows reference them. */
  keptSubjects = 0;

  constructor(private readonly plan: ArchivePlan) {
    for (const t of plan.tables) this.rows.set(t, 0);
  }

  /** Adds one chunk's walk. */
  add(s: Subjects): void {
    for (const [t, rows] of s.rows) for (const r of rows.values()) if (![...r.roots].some((k) => s.kept.has(k))) this.rows.set(t, this.rows.get(t)! + 1);
    const roots = s.rows.get(this.plan.root)!.size;
    this.subjects += roots - s.kept.size;
    this.keptSubjects += s.kept.size;
    for (const [root, fkName] of s.kept) {
      const fk = this.plan.blockers.find((b) => b.name === fkName);
      const k = this.kept.get(fkName) ?? { foreignKey: fkName, table: fk?.child ?? '', subjects: 0, examples: [] };
      k.subjects++;
      if (k.examples.length < EXAMPLES) k.examples.push(root.replaceAll('\u0000', ','));
      this.kept.set(fkName, k);
    }
  }

  /** The kept subjects per blocking key. */
  keptReports(): KeptReport[] {
    return [...this.kept.values()];
  }

  /** The run's result. */
  result(r: { dryRun: boolean; runId: string; source: string; archive: string; chunks: number; reconciled: Reconciled; throttle: ThrottleStats }): ArchiveResult {
    return {
      dryRun: r.dryRun,
      runId: r.runId,
      sourceSchema: r.source,
      archiveSchema: r.archive,
      root: this.plan.root,
      chunks: r.chunks,
      subjects: this.subjects,
      keptSubjects: this.keptSubjects,
      tables: this.plan.tables.map((table) => ({ table, rows: this.rows.get(table)! })),
      kept: this.keptReports(),
      reconciled: r.reconciled,
      throttle: r.throttle,
    };
  }
}
