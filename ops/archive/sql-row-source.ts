/**
 * The subject walk's reads on the source: the rows of a child table that reference some parent
 * rows, with the columns the plan needs. Inside the chunk's transaction they are locking reads
 * (`FOR UPDATE`): a plain read in REPEATABLE READ sees the snapshot and would miss a row committed
 * since, and the lock keeps writers from changing a subject between its copy and its delete. An
 * insert of a new child must lock its parent row (InnoDB's foreign-key check takes a shared lock),
 * so it waits behind the root's exclusive lock instead of slipping in.
 */
import type { ForeignKey } from '../../src/catalog/foreign-keys.js';
import type { Row, SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import type { ArchivePlan } from './plan-archive.js';
import type { RowSource } from './walk-subjects.js';
import { keyLists } from './key-sql.js';

/** A `RowSource` reading `schema` on `conn`; `lock` adds FOR UPDATE (the real run), none for --dry-run. */
export function sqlRowSource(conn: SqlConnection, schema: string, plan: ArchivePlan, pk: ReadonlyMap<string, readonly string[]>, lock: boolean): RowSource {
  return {
    async referrers(fk: ForeignKey, parents: readonly Row[]): Promise<Row[]> {
      const cols = plan.columns.get(fk.child) ?? [...new Set([...(pk.get(fk.child) ?? []), ...fk.columns])];
      const refs = distinct(parents.filter((p) => fk.referenced.every((c) => p[c] !== null)), fk.referenced);
      const out: Row[] = [];
      // The parents' referenced values, renamed to the child's columns.
      const asChild = refs.map((p) => Object.fromEntries(fk.columns.map((c, i) => [c, p[fk.referenced[i]!]])));
      for (const where of keyLists('c', fk.columns, asChild)) {
        out.push(
          ...(await conn.query(
            `SELECT ${cols.map((c) => `c.${quoteId(c)}`).join(', ')} FROM ${qualify(schema, fk.child)} AS c WHERE ${where.sql}${lock ? ' FOR UPDATE' : ''}`,
            where.params,
          )),
        );
      }
      return out;
    },
  };
}

function distinct(rows: readonly Row[], columns: readonly string[]): Row[] {
  const seen = new Map<string, Row>();
  for (const r of rows) seen.set(JSON.stringify(columns.map((c) => String(r[c] as string))), r);
  return [...seen.values()];
}
