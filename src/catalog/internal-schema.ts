/**
 * dualpipe's own tables (shadow set, generation markers, key journal, run history, freshness,
 * work tables of a run) live in a schema of their own beside the report schema, so that an
 * analyst's `SHOW TABLES` in the report schema lists only mirrors, reports and the
 * `dualpipe_freshness` view, and the analyst role needs no grant on dualpipe's bookkeeping.
 *
 * MySQL/MariaDB fact: RENAME TABLE moves a table between two schemas of one server (one atomic
 * statement, MyISAM and InnoDB alike) as long as both schemas' directories are on one file
 * system (they are, under one datadir); so the shadow swap and the publishing RENAME stay one
 * statement across the two schemas.
 */
import { createHash } from 'node:crypto';
import type { SqlConnection } from '../db/connection.js';
import { quoteId } from '../db/quote.js';

/** The suffix of the internal schema's name. */
export const INTERNAL_SUFFIX = '__dualpipe';

/** The internal schema of `reportSchema`: `<report>__dualpipe`, shortened by a hash beyond 64 characters. */
export function internalSchemaOf(reportSchema: string): string {
  const name = reportSchema + INTERNAL_SUFFIX;
  if (name.length <= 64) return name;
  const hash = createHash('sha256').update(reportSchema).digest('hex').slice(0, 8);
  return `${reportSchema.slice(0, 64 - INTERNAL_SUFFIX.length - 9)}_${hash}${INTERNAL_SUFFIX}`;
}

/**
 * Creates the internal schema of `reportSchema` when missing, with the report schema's character
 * set and collation (the server's default when the report schema does not exist). Returns its name.
 */
export async function ensureInternalSchema(conn: SqlConnection, reportSchema: string): Promise<string> {
  const internal = internalSchemaOf(reportSchema);
  const rows = await conn.query<{ s: string; cs: string; co: string }>(
    'SELECT SCHEMA_NAME AS s, DEFAULT_CHARACTER_SET_NAME AS cs, DEFAULT_COLLATION_NAME AS co FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (?, ?)',
    [reportSchema, internal],
  );
  // CREATE DATABASE IF NOT EXISTS needs the CREATE privilege even when the schema exists (the
  // backup account has none there): only a missing schema is created.
  if (rows.some((r) => r.s === internal)) return internal;
  const rep = rows.find((r) => r.s === reportSchema);
  const charset = rep ? ` CHARACTER SET ${rep.cs} COLLATE ${rep.co}` : '';
  await conn.execute(`CREATE DATABASE IF NOT EXISTS ${quoteId(internal)}${charset}`);
  return internal;
}
