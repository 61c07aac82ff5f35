/**
 * The order test files start in. Vitest starts the files it has timings for longest first, but a
 * clean clone (CI) has none and falls back to largest file first: short files holding long tests
 * (the torture regressions are 40 lines and run for most of a minute) then start last, and one
 * worker runs them alone at the end while the other has nothing left to do. Here the files known
 * to be slow start first (longest first, as measured in clean-clone CI runs on both servers), so
 * the tail of a run is short files on both workers. The rest keep vitest's own order.
 * A stale list costs only balance, never a test: every file still runs.
 */
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Test files that took 20 s or more in a clean-clone CI run, slowest first. */
export const SLOW_TEST_FILES: readonly string[] = [
  'test/sync/incremental/run-incremental.test.ts',
  'test/backup/restore/merge-blocks.test.ts',
  'test/ops/faults-under-load.test.ts',
  'test/src/guard/stall-sigstop.test.ts',
  'test/torture/regressions.test.ts',
  'test/sync/incremental/exactness.test.ts',
  'test/torture/corpus.test.ts',
  'test/sync/incremental/kill.test.ts',
  'test/sync/verify/sync-verify.test.ts',
  'test/backup/restore/lost-rows.test.ts',
  'test/backup/restore/hostile-backup.test.ts',
  'test/backup/restore/restore-kill.test.ts',
  'test/backup/restore/run-restore.test.ts',
  'test/ops/archive/archive-kill.test.ts',
  'test/backup/dump/zstd-backup.test.ts',
  'test/sync/verify/pending-drift.test.ts',
  'test/ops/grants/grants-roles.test.ts',
  'test/sync/full/kill.test.ts',
  'test/sync/incremental/consistency.test.ts',
  'test/sync/full/run-sync.test.ts',
];

/** Vitest's sequencer with the known-slow files moved to the front, in the list's order. */
export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = SLOW_TEST_FILES.indexOf(relative(this.ctx.config.root, f.moduleId).split('\\').join('/'));
      return i < 0 ? SLOW_TEST_FILES.length : i;
    };
    // Array.prototype.sort is stable: files off the list keep the base order among themselves.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
