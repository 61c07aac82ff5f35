/**
 * The archive's `--where`: parsed (backup/restore/where-filter.ts), checked against the source
 * before anything changes (the table and every column must exist), and with each NOW() read once
 * from the server at the start, so every chunk and a --dry-run before it use the same cutoff.
 */
import { type FilterValue, parseFilter, type WideFilter } from '../../backup/restore/where-filter.js';
import type { TableMeta } from '../../src/catalog/table-meta.js';
import type { SqlConnection } from '../../src/db/connection.js';
import { UsageError } from '../../src/errors.js';

/** Parses `where` and checks it names one existing table of `metas` and only its columns. */
export function archiveFilter(where: string, source: string, metas: ReadonlyMap<string, TableMeta>): WideFilter & { table: string } {
  const filter = parseFilter(where);
  if (filter.table === undefined)
    throw new UsageError('--where: name the root table with each column, e.g. contacts.created_at', { hint: 'write e.g. --where "contacts.created_at < NOW() - INTERVAL 2 YEAR"' });
  const meta = metas.get(filter.table);
  if (!meta) throw new UsageError(`--where: table ${filter.table} is not in schema ${source}`, { hint: 'filter on one table of the source' });
  for (const c of filter.conditions)
    if (!meta.columns.some((m) => m.name === c.column)) throw new UsageError(`--where: ${filter.table} has no column ${c.column}`, { hint: `see SHOW COLUMNS FROM ${filter.table}` });
  return { ...filter, table: filter.table };
}

/** The filter with every NOW() replaced by the server's time now (minus its interval), as text. */
export async function fixNow<F extends WideFilter>(conn: SqlConnection, filter: F): Promise<F> {
  const conditions = [];
  for (const c of filter.conditions) {
    const v = c.values[0];
    if (typeof v !== 'object') {
      conditions.push(c);
      continue;
    }
    // The unit comes from the parser's fixed list; the count is a placeholder.
    const sql = v.minus ? `SELECT CAST(NOW(6) - INTERVAL ? ${v.minus.unit} AS CHAR) AS t` : 'SELECT CAST(NOW(6) AS CHAR) AS t';
    const [row] = await conn.query<{ t: string }>(sql, v.minus ? [v.minus.count] : []);
    conditions.push({ ...c, values: [row!.t as FilterValue] });
  }
  return { ...filter, conditions };
}
