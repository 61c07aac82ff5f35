/**
 * Plans a merge restore (`restore --mode merge --where …`): which tables take part, and every
 * statement, as pure data. The backup is first restored whole into a scratch schema; rows there
 * are marked in a `__dp_sel` column: the rows the filter names, then, until nothing changes,
 * every row whose foreign key points at a marked row (its dependents, at any depth). The marked
 * rows missing from the live tables are then inserted, parents first, in one transaction; rows
 * that exist now are never touched, only counted (identical, or different: a conflict).
 */
import { copiedSelectList } from '../../src/rows/server-copy-sql.js';
import { sameRowTextSql } from '../../src/rows/row-digest-sql.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { UsageError } from '../../src/errors.js';
import type { ForeignKey } from '../../src/catalog/foreign-keys.js';
import type { TableMeta } from '../../src/catalog/table-meta.js';
import { type FilterValue, renderWhere, type RowFilter } from './where-filter.js';

/** The column a merge adds to every scratch table that takes part: 1 on the rows to bring back. */
export const MARK = '__dp_sel';

/**
 * One table of a merge: its columns and key, and the SQL that counts, checks and inserts its marked
 * rows.
 */
export interface MergeTablePlan {
  name: string;
  primaryKey: string[];
  columns: string[];
  /** Marked rows; marked rows present now; present now but different. */
  countSql: string;
  /** Up to 10 primary keys of present-but-different rows. */
  conflictSql: string;
  /** Per foreign key of this table: marked, missing rows whose parent will exist neither now nor after the merge. */
  parentChecks: { fk: ForeignKey; sql: string }[];
  /** Inserts the marked rows the live table lacks; rows it has are never touched. */
  insertSql: string;
  /** A foreign key of the table references the table itself. */
  selfReferencing: boolean;
}

/** Everything a merge runs, as data: printed by `--dry-run`, executed by run-merge.ts. */
export interface MergePlan {
  /** The table `--where` names. */
  root: string;
  /** The schema the backup is restored into first. */
  scratch: string;
  /** The live schema the missing rows go into. */
  target: string;
  /** Parents before children. */
  tables: MergeTablePlan[];
  /** Adds the MARK column to each scratch table that takes part. */
  addMarkSql: string[];
  /**
   * Marks the rows of the root table that `--where` chooses; the filter's values are parameters.
   */
  markRoot: { sql: string; params: FilterValue[] };
  /** Run in a loop until none changes a row. */
  propagateSql: string[];
  /** The foreign key each statement of `propagateSql` follows, in the same order. */
  edges: ForeignKey[];
}

/**
 * What `planMerge` plans from: the parsed filter, the schemas, and the tables of the target and of
 * the backup.
 */
export interface PlanMergeInput {
  filter: RowFilter;
  target: string;
  scratch: string;
  /** Live tables of the target. */
  live: readonly TableMeta[];
  /** Foreign keys among the live tables. */
  fks: readonly ForeignKey[];
  /** Tables in the backup, with the columns of its chunk lines. */
  backup: ReadonlyMap<string, readonly string[]>;
  /** Columns with ON UPDATE CURRENT_TIMESTAMP, per table: marking a row must not change them. */
  autoUpdated?: ReadonlyMap<string, readonly string[]>;
}

const on = (a: string, b: string, left: readonly string[], right: readonly string[]) =>
  left.map((c, i) => `${a}.${quoteId(c)} = ${b}.${quoteId(right[i]!)}`).join(' AND ');

/**
 * Plans a merge: the table `--where` names and every table that depends on it through foreign keys,
 * parents first, with their SQL. Throws a UsageError when a merge cannot be exact: an unknown table
 * or column, a table missing from the backup or without a primary key, columns that differ from the
 * backup's, or foreign keys in a cycle.
 */
export function planMerge(input: PlanMergeInput): MergePlan {
  const { filter, target, scratch } = input;
  const root = filter.table;
  if (!root) throw new UsageError('--where must name its table, e.g. "contacts.id IN (42)"', { hint: 'qualify a column with its table' });
  const live = new Map(input.live.map((t) => [t.name, t]));
  const rootMeta = live.get(root);
  if (!rootMeta || !input.backup.has(root))
    throw new UsageError(`--where names table ${root}, which is not ${rootMeta ? 'in the backup' : `a table of ${target}`}`, {
      hint: 'name a table of the CRM schema',
    });
  for (const c of filter.conditions)
    if (!rootMeta.columns.some((x) => x.name === c.column))
      throw new UsageError(`--where: ${root} has no column ${c.column}`, { hint: `columns: ${rootMeta.columns.map((x) => x.name).join(', ')}` });

  // Dependents: tables reachable by following foreign keys from parent to child.
  const closure = [root];
  for (let i = 0; i < closure.length; i++)
    for (const fk of input.fks) if (fk.parent === closure[i] && !closure.includes(fk.child)) closure.push(fk.child);
  const inClosure = new Set(closure);
  const edges = input.fks.filter((fk) => inClosure.has(fk.child) && inClosure.has(fk.parent));

  // Parents first (ignoring a table's keys to itself).
  const ordered: string[] = [];
  const pending = new Set(closure);
  while (pending.size) {
    const ready = [...pending].filter((t) => !edges.some((e) => e.child === t && e.parent !== t && pending.has(e.parent)));
    if (ready.length === 0) throw new UsageError(`the tables ${[...pending].join(', ')} reference each other in a cycle: a merge cannot order them`);
    for (const t of ready) {
      ordered.push(t);
      pending.delete(t);
    }
  }

  const tables = ordered.map((name): MergeTablePlan => {
    const meta = live.get(name)!;
    const columns = meta.columns.filter((c) => !c.generated).map((c) => c.name);
    const inBackup = input.backup.get(name);
    if (!inBackup) throw new UsageError(`table ${name} depends on ${root} but is not in the backup`, { hint: 'use a backup of this schema version' });
    if ([...columns].sort().join('\0') !== [...inBackup].sort().join('\0'))
      throw new UsageError(`table ${name}: the backup's columns (${inBackup.join(', ')}) differ from the live ones (${columns.join(', ')})`, {
        hint: 'a merge needs a backup of the same schema version',
      });
    if (meta.primaryKey.length === 0) throw new UsageError(`table ${name} has no primary key: a merge cannot tell which rows exist`);
    const s = qualify(scratch, name);
    const l = qualify(target, name);
    const pkOn = on('s', 'l', meta.primaryKey, meta.primaryKey);
    // Exact, not by collation: a live row that differs from the backup's by case or a trailing space only is a conflict too.
    const stored = meta.columns.filter((c) => !c.generated);
    const same = sameRowTextSql(stored, 's', 'l');
    const firstPk = `l.${quoteId(meta.primaryKey[0]!)}`;
    const missing = `FROM ${s} AS s LEFT JOIN ${l} AS l ON ${pkOn} WHERE s.${MARK} = 1 AND ${firstPk} IS NULL`;
    const parentChecks = input.fks
      .filter((fk) => fk.child === name)
      .map((fk) => {
        const notNull = fk.columns.map((c) => `s.${quoteId(c)} IS NOT NULL`).join(' AND ');
        const nowP = `SELECT 1 FROM ${qualify(target, fk.parent)} AS p WHERE ${on('p', 's', fk.referenced, fk.columns)}`;
        const willP = inClosure.has(fk.parent)
          ? ` AND NOT EXISTS (SELECT 1 FROM ${qualify(scratch, fk.parent)} AS q WHERE q.${MARK} = 1 AND ${on('q', 's', fk.referenced, fk.columns)})`
          : '';
        return { fk, sql: `SELECT COUNT(*) AS n ${missing} AND ${notNull} AND NOT EXISTS (${nowP})${willP}` };
      });
    return {
      name,
      primaryKey: meta.primaryKey,
      columns,
      countSql: `SELECT COUNT(*) AS marked, COUNT(${firstPk}) AS present, COALESCE(SUM(${firstPk} IS NOT NULL AND NOT (${same})), 0) AS different FROM ${s} AS s LEFT JOIN ${l} AS l ON ${pkOn} WHERE s.${MARK} = 1`,
      conflictSql: `SELECT ${meta.primaryKey.map((c) => `s.${quoteId(c)}`).join(', ')} FROM ${s} AS s JOIN ${l} AS l ON ${pkOn} WHERE s.${MARK} = 1 AND NOT (${same}) LIMIT 10`,
      parentChecks,
      selfReferencing: input.fks.some((fk) => fk.child === name && fk.parent === name),
      insertSql: `INSERT INTO ${l} (${columns.map(quoteId).join(', ')}) SELECT ${copiedSelectList(stored, 's')} ${missing}`,
    };
  });

  const where = renderWhere(filter, 's');
  // Setting an auto-updated column to itself keeps the server from stamping it.
  const keep = (table: string, alias: string) =>
    (input.autoUpdated?.get(table) ?? []).map((c) => `, ${alias}.${quoteId(c)} = ${alias}.${quoteId(c)}`).join('');
  return {
    root,
    scratch,
    target,
    tables,
    addMarkSql: closure.map((t) => `ALTER TABLE ${qualify(scratch, t)} ADD COLUMN ${quoteId(MARK)} TINYINT NOT NULL DEFAULT 0`),
    markRoot: { sql: `UPDATE ${qualify(scratch, root)} AS s SET s.${MARK} = 1${keep(root, 's')} WHERE ${where.sql}`, params: where.params },
    edges,
    propagateSql: edges.map(
      (e) =>
        `UPDATE ${qualify(scratch, e.child)} AS c JOIN ${qualify(scratch, e.parent)} AS p ON ${on('c', 'p', e.columns, e.referenced)} ` +
        `SET c.${MARK} = 1${keep(e.child, 'c')} WHERE p.${MARK} = 1 AND c.${MARK} = 0`,
    ),
  };
}
