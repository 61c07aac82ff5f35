/** What every step of a forget run shares: the connection, the plan, the tables' metadata and the filter. */
import type { WideFilter } from '../../backup/restore/where-filter.js';
import type { TableMeta } from '../../src/catalog/table-meta.js';
import type { Row, SqlConnection } from '../../src/db/connection.js';
import type { ErasureKey } from '../../src/erasure/erasure-key.js';
import type { ArchivePlan } from '../archive/plan-archive.js';

/** The shared state of one forget run. */
export interface ForgetContext {
  /** A session on the source server (the archive schema lives there too). */
  conn: SqlConnection;
  plan: ArchivePlan;
  metas: ReadonlyMap<string, TableMeta>;
  pk: ReadonlyMap<string, readonly string[]>;
  filter: WideFilter;
  source: string;
  archive: string;
  /** `<source>__dualpipe`: the ledger's schema on the source server. */
  ledgerSchema: string;
  reason: string;
  /** Absent in a dry run without a key. */
  key?: ErasureKey;
  dryRun: boolean;
}

/** Rows per table (plan order) of a walk's subjects: every row goes, an erasure keeps nothing. */
export function subjectRows(plan: ArchivePlan, rows: ReadonlyMap<string, ReadonlyMap<string, { row: Row }>>): Map<string, Row[]> {
  return new Map(plan.tables.map((t) => [t, [...(rows.get(t)?.values() ?? [])].map((s) => s.row)]));
}
