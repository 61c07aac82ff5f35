/**
 * `dualpipe report check`: builds a report from the live mirrors into a scratch table
 * `__dp_check_<pid>_<report>` in dualpipe's internal schema `<report>__dualpipe` (where the sync
 * account may already create and drop tables: no extra grant), checks its declared @key (unique,
 * never NULL) and shows the EXPLAIN plan of the build's INSERT … SELECT. The report schema itself
 * is never written.
 *
 * MySQL fact: MyISAM ignores ROLLBACK and DDL commits implicitly, so a transaction could not undo
 * the build; the scratch table is dropped afterwards instead, on failure too.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Row, SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { ensureInternalSchema } from '../../src/catalog/internal-schema.js';
import type { Pipeline } from '../../src/pipeline.js';
import { lineOf, type ReportProblem } from './lint-report.js';
import { type ReportDefinition, renderSql } from './report-definitions.js';

/** The outcome of checking one report. */
export interface ReportCheck {
  ok: boolean;
  report: string;
  file: string;
  /** Rows the build produced (null when it failed). */
  rows: number | null;
  /** The @key verdict, when the report declares one. */
  key?: { columns: string[]; duplicates: number; nulls: number; sample: string[] };
  /** EXPLAIN of each INSERT … SELECT of the build, as the server returns its rows. */
  explain: Row[][];
  problems: ReportProblem[];
}

/** The scratch table of a check in the internal schema (at most 64 characters, MySQL's limit). */
export function scratchTableName(report: string, pid: number = process.pid): string {
  const name = `__dp_check_${pid}_${report}`;
  if (name.length <= 64) return name;
  const hash = createHash('sha256').update(report).digest('hex').slice(0, 8);
  return `${name.slice(0, 55)}_${hash}`;
}

async function keyVerdict(conn: SqlConnection, table: string, key: string[]): Promise<NonNullable<ReportCheck['key']>> {
  const cols = key.map(quoteId).join(', ');
  const [n] = await conn.query<{ nulls: number | string | null }>(
    `SELECT COUNT(*) AS nulls FROM ${table} WHERE ${key.map((k) => `${quoteId(k)} IS NULL`).join(' OR ')}`,
  );
  const dupes = await conn.query<Row>(
    `SELECT ${cols}, COUNT(*) AS dp_n FROM ${table} GROUP BY ${cols} HAVING COUNT(*) > 1 ORDER BY dp_n DESC LIMIT 1000`,
  );
  const sample = dupes.slice(0, 3).map((r) => `${key.map((k) => String(r[k])).join(',')} (${String(r.dp_n)}×)`);
  return { columns: key, duplicates: dupes.length, nulls: Number(n?.nulls ?? 0), sample };
}

/** Checks one report against the mirrors of `pipeline`'s report schema; never throws for a bad report. */
export async function checkReport(pipeline: Pipeline, def: ReportDefinition, pid: number = process.pid): Promise<ReportCheck> {
  const text = readFileSync(def.file, 'utf8');
  const result: ReportCheck = { ok: false, report: def.name, file: def.file, rows: null, explain: [], problems: [] };
  const problem = (line: number, message: string) => result.problems.push({ file: def.file, line, message });
  const rep = pipeline.reportSchema;
  const conn = await pipeline.report.connect({ database: null });
  let target: string | undefined;
  try {
    const present = new Set(
      (
        await conn.query<{ t: string }>('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [rep])
      ).map((r) => r.t),
    );
    for (const t of def.dependsOn.filter((d) => !present.has(d))) {
      problem(lineOf(text, `{{${t}}}`), `no mirror ${t} in ${rep}: is ${t} a source table, and has a sync run since it was added?`);
    }
    if (result.problems.length) return result;
    target = qualify(await ensureInternalSchema(conn, rep), scratchTableName(def.name, pid));
    const names = (p: string) => (p === 'target' ? target! : qualify(rep, p));
    await conn.execute(`DROP TABLE IF EXISTS ${target}`);
    for (const [i, st] of def.statements.entries()) {
      const sql = renderSql(st, names);
      try {
        await conn.execute(sql);
      } catch (error) {
        problem(lineOf(text, st.split('\n')[0]!), `statement ${i + 1} failed: ${(error as Error).message}`);
        return result;
      }
      if (/^\s*INSERT\b[\s\S]*\bSELECT\b/i.test(sql)) result.explain.push(await conn.query<Row>(`EXPLAIN ${sql}`));
    }
    const [count] = await conn.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${target}`);
    result.rows = Number(count?.n ?? 0);
    const key = def.incremental?.key;
    if (key) {
      try {
        result.key = await keyVerdict(conn, target, key);
      } catch (error) {
        problem(lineOf(text, '@key'), `the @key columns cannot be read from the result: ${(error as Error).message}`);
        return result;
      }
      const keyLine = lineOf(text, '@key');
      if (result.key.duplicates) problem(keyLine, `@key ${key.join(', ')} is not unique: ${result.key.duplicates} duplicated key(s), e.g. ${result.key.sample.join('; ')}`);
      if (result.key.nulls) problem(keyLine, `@key ${key.join(', ')} is NULL in ${result.key.nulls} row(s)`);
    }
    result.ok = result.problems.length === 0;
    return result;
  } finally {
    try {
      if (target) await conn.execute(`DROP TABLE IF EXISTS ${target}`);
    } finally {
      await conn.close();
    }
  }
}
