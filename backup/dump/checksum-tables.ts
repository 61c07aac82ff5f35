import pLimit from 'p-limit';
import { contentChecksum } from '../../src/rows/content-checksum.js';
import type { BackupPlan } from './plan-backup.js';
import type { Pipeline } from '../../src/pipeline.js';

/**
 * Content checksums: a full sync recorded them for every mirror (its chunk sums of the snapshot);
 * only tables without one still good (a streamed sync, report tables) are scanned, alongside the dumps.
 */
export function checksumTables(o: { pipeline: Pipeline }, plan: BackupPlan, threads: number): Promise<Map<string, { rows: number; checksum: string }>> {
  const limit = pLimit(threads);
  const sums = Promise.all(
    plan.tables.map((t) =>
      limit(async () => {
        if (t.recorded) return [t.name, t.recorded] as const;
        const conn = await o.pipeline.report.connect({ database: null });
        try {
          return [t.name, await contentChecksum(conn, plan.reportSchema, t.name, t.meta)] as const;
        } finally {
          await conn.close();
        }
      }),
    ),
  ).then((entries) => new Map(entries));
  sums.catch(() => {});
  return sums;
}
