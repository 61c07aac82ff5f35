/** Loads one generated chunk with `LOAD DATA LOCAL INFILE`, streaming rows as they are made. */
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { DualpipeError, StepError } from '../../src/errors.js';
import { type Field, tsvStream } from './tsv.js';

/** The statement matching the encoding of `tsv.ts`. */
export function loadDataSql(schema: string, table: string, columns: readonly string[]): string {
  return (
    `LOAD DATA LOCAL INFILE 'dualpipe-seed.tsv' INTO TABLE ${qualify(schema, table)} ` +
    `CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ` +
    `(${columns.map(quoteId).join(', ')})`
  );
}

interface DriverError {
  errno?: number;
  code?: string;
  message?: string;
}

/** MySQL 8 says 3948 (ER_CLIENT_LOCAL_FILES_DISABLED); MariaDB and older MySQL say 1148. */
function isLocalInfileDisabled(error: unknown): boolean {
  const e = error as DriverError;
  return (
    e?.errno === 3948 ||
    e?.errno === 1148 ||
    /local (data|infile).*disabled|command is not allowed/i.test(e?.message ?? '')
  );
}

/**
 * One chunk of a seeded table: where its rows go, how many must arrive, and the generator that
 * makes them as the load streams.
 */
export interface LoadChunk {
  schema: string;
  table: string;
  columns: readonly string[];
  /** The chunk's number within its table, named in errors. */
  index: number;
  /** Rows the chunk must load; fewer means the server skipped or rejected some. */
  rows: number;
  generate: () => Iterable<Field[]>;
}

/**
 * Loads one chunk. LOAD DATA LOCAL turns bad values into warnings instead of errors, so any
 * warning or a short row count fails the chunk with the server's first messages.
 */
export async function loadChunk(conn: SqlConnection, chunk: LoadChunk): Promise<void> {
  const name = `${chunk.schema}.${chunk.table}`;
  const phase = `seed chunk ${String(chunk.index).padStart(4, '0')}`;
  let result: Awaited<ReturnType<SqlConnection['loadInfile']>>;
  try {
    result = await conn.loadInfile(loadDataSql(chunk.schema, chunk.table, chunk.columns), () =>
      tsvStream(chunk.generate()),
    );
  } catch (error) {
    if (isLocalInfileDisabled(error)) {
      throw new DualpipeError(`cannot seed ${name}: the server refuses LOAD DATA LOCAL INFILE`, {
        cause: error,
        hint: 'enable it on the server with `SET GLOBAL local_infile=1` (MySQL 8 defaults to OFF), or start it with --local-infile=1',
      });
    }
    throw new StepError(phase, name, { cause: error });
  }
  if (result.warningStatus > 0 || result.affectedRows !== chunk.rows) {
    const warnings = await conn.query<{ Message: string }>('SHOW WARNINGS LIMIT 3').catch(() => []);
    const detail = warnings.map((w) => w.Message).join('; ');
    const why = `loaded ${result.affectedRows} of ${chunk.rows} rows with ${result.warningStatus} warning(s)`;
    throw new StepError(phase, name, { detail: detail ? `${why}: ${detail}` : why });
  }
}
