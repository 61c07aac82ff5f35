/**
 * The manifest of a finished dump, from the plan, the chunks written and the content checksums.
 * Pure. A table whose chunks do not add up to the rows its checksum counted is refused: the
 * manifest is written last, so such a backup never looks complete.
 */
import { StepError } from '../../src/errors.js';
import { VERSION } from '../../src/version.js';
import type { SourceState } from '../../src/catalog/source-state.js';
import { MANIFEST_FORMAT, type Manifest, type ManifestTable } from '../format/manifest.js';
import type { ChunkResult } from './dump-table.js';
import type { BackupPlan } from './plan-backup.js';

/** What a dump produced and where it came from. */
export interface DumpOutcome {
  plan: BackupPlan;
  /** The chunks of each table, in the order of `plan.tables`. */
  chunks: readonly (readonly ChunkResult[])[];
  /** Row count and content checksum per table name. */
  checksums: ReadonlyMap<string, { rows: number; checksum: string }>;
  state: SourceState;
  sync: { id: number; finishedAt: string };
  serverVersion: string;
  started: Date;
  finished: Date;
  /** The id of the key the chunks were encrypted with. */
  keyId?: string;
  /** Per table, the columns whose per-chunk ranges its chunks record (`keyRanges`); absent: none. */
  keyColumns?: ReadonlyMap<string, readonly string[]>;
}

/**
 * The manifest entries of the tables of `plan` (the live part, or the archive's); throws a
 * StepError naming a table whose dumped rows differ from its count.
 */
export function manifestTables(
  plan: Pick<BackupPlan, 'tables'>,
  chunks: readonly (readonly ChunkResult[])[],
  checksums: ReadonlyMap<string, { rows: number; checksum: string }>,
  keyColumnsByTable?: ReadonlyMap<string, readonly string[]>,
): ManifestTable[] {
  return plan.tables.map((p, i) => {
    const sum = checksums.get(p.name)!;
    const list = chunks[i]!.map((r) => ({ file: r.file, rows: r.rows, bytes: r.bytes, sha256: r.sha256, rawBytes: r.rawBytes, ...(r.keyRanges ? { keyRanges: r.keyRanges } : {}), ...(r.blocks ? { blocks: r.blocks } : {}) }));
    const dumped = list.reduce((a, c) => a + c.rows, 0);
    if (dumped !== sum.rows) {
      throw new StepError('backup', p.name, { detail: `dumped ${dumped} rows but the table holds ${sum.rows}` });
    }
    const keyColumns = keyColumnsByTable?.get(p.name);
    return { name: p.name, kind: p.kind, ddl: p.ddl, columns: p.columns, rows: dumped, checksum: sum.checksum, chunks: list, ...(keyColumns ? { keyColumns: [...keyColumns] } : {}) };
  });
}

/** Builds the manifest; throws a StepError naming a table whose dumped rows differ from its count. */
export function buildManifest(d: DumpOutcome): Manifest {
  const tables = manifestTables(d.plan, d.chunks, d.checksums, d.keyColumns);
  const { state } = d;
  return {
    format: MANIFEST_FORMAT,
    complete: true,
    createdAt: d.started.toISOString(),
    finishedAt: d.finished.toISOString(),
    tool: { name: 'dualpipe', version: VERSION },
    server: { version: d.serverVersion },
    sourceSchema: state.schema,
    reportSchema: d.plan.reportSchema,
    sync: { runId: d.sync.id, finishedAt: d.sync.finishedAt },
    binlog: state.binlog,
    ...(state.binlogNote ? { binlogNote: state.binlogNote } : {}),
    migrations: state.migrations,
    compression: d.plan.compression,
    tables,
    ...(d.keyId !== undefined ? { encryption: { algorithm: 'aes-256-gcm' as const, keyId: d.keyId } } : {}),
    totals: {
      tables: tables.length,
      rows: tables.reduce((a, t) => a + t.rows, 0),
      bytes: tables.reduce((a, t) => a + t.chunks.reduce((b, c) => b + c.bytes, 0), 0),
      seconds: (d.finished.getTime() - d.started.getTime()) / 1000,
    },
  };
}
