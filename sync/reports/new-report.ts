/** `dualpipe report new NAME`: a commented template report file, never over an existing one. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../src/errors.js';

const NAME = /^[a-z0-9_]{1,60}$/;

/** The table name of report NAME (`orders` → `rpt_orders`, `rpt_orders` stays); throws UsageError when not valid. Pure. */
export function reportTableName(name: string): string {
  const base = name.replace(/\.sql$/, '').replace(/^rpt_/, '');
  if (!NAME.test(base)) {
    throw new UsageError(`invalid report name "${name}"`, { hint: 'use lower case letters, digits and _ (up to 60), e.g. daily_sales' });
  }
  return `rpt_${base}`;
}

/** The template text of a new report. Pure; parses as a report (its one mirror, `{{orders}}`, is to be edited). */
export function reportTemplate(table: string): string {
  return `-- ${table}: TODO one line saying what the table holds (this first comment line is the title)
--
-- How this file works (docs/custom-reports.md, docs/reports.md "Adding a report table"):
--   Lines starting with -- are comments. A statement ends with ; at the end of a line.
--   {{target}} is the table being built (always write {{target}}, never its real name).
--   {{orders}} is the MyISAM mirror of the source table orders: name every source table this
--   way, never with a schema name. A sync builds this table from the mirrors it names.
--   Incremental upkeep (optional): the @key, @changes and @refresh lines, see docs/reports.md.
-- Check it with: dualpipe report check ${table}

CREATE TABLE {{target}} (
  id BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (id)
) ENGINE=MyISAM DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci;

INSERT INTO {{target}} (id)
SELECT o.id
FROM {{orders}} AS o;
`;
}

/** Writes `rpt_NAME.sql` into `dir`; refuses to overwrite. Returns the file's path and table name. */
export function writeReportTemplate(dir: string, name: string): { table: string; file: string } {
  const table = reportTableName(name);
  const file = join(dir, `${table}.sql`);
  try {
    // 'wx': fails if the file exists, atomically (no check-then-write race).
    writeFileSync(file, reportTemplate(table), { flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`${file} exists already`, { hint: 'edit it, or choose another name' });
    if (code === 'ENOENT') throw new UsageError(`folder ${dir} does not exist`, { hint: 'create it first (mkdir -p)' });
    throw error;
  }
  return { table, file };
}
