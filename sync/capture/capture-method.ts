/**
 * Which change capture an incremental sync reads: the triggers' change log in the source schema
 * (capture-sql.ts), or the source's binary log (binlog/). The choice is dualpipe's own
 * bookkeeping, so it lives beside the report schema (its internal schema), never in the
 * application's: binlog capture installs nothing on the source at all.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import { ensureInternalSchema, internalSchemaOf } from '../../src/catalog/internal-schema.js';
import { isNoSuchTable } from '../../src/db/no-such-table.js';

/** The two ways an incremental sync learns which keys changed. */
export type CaptureMethod = 'triggers' | 'binlog';
/** Every method, in the order `capture install --method` lists them. */
export const CAPTURE_METHODS: readonly CaptureMethod[] = ['triggers', 'binlog'];

/** The one-row table holding the method (internal schema of the report schema). */
export const CAPTURE_METHOD_TABLE = '__dp_capture_method';

/** The chosen method and when; `triggers` with no date when none was ever chosen (the default). */
export interface CaptureMethodChoice {
  method: CaptureMethod;
  chosenAt: string | null;
}

/** Reads the method chosen for `reportSchema`'s pipeline. */
export async function readCaptureMethod(conn: SqlConnection, reportSchema: string): Promise<CaptureMethodChoice> {
  try {
    const rows = await conn.query<{ method: string; at: string }>(
      `SELECT method, DATE_FORMAT(chosen_at, '%Y-%m-%dT%H:%i:%s.%fZ') AS at FROM ${qualify(internalSchemaOf(reportSchema), CAPTURE_METHOD_TABLE)} LIMIT 1`,
    );
    const r = rows[0];
    if (r && (CAPTURE_METHODS as readonly string[]).includes(r.method)) return { method: r.method as CaptureMethod, chosenAt: r.at };
    return { method: 'triggers', chosenAt: null };
  } catch (error) {
    if (isNoSuchTable(error)) return { method: 'triggers', chosenAt: null };
    throw error;
  }
}

/** Records `method` for `reportSchema`'s pipeline (one row, replaced). */
export async function writeCaptureMethod(conn: SqlConnection, reportSchema: string, method: CaptureMethod): Promise<void> {
  const table = qualify(await ensureInternalSchema(conn, reportSchema), CAPTURE_METHOD_TABLE);
  await conn.execute(`CREATE TABLE IF NOT EXISTS ${table} (id TINYINT NOT NULL PRIMARY KEY, method VARCHAR(16) NOT NULL, chosen_at DATETIME(6) NOT NULL) ENGINE=MyISAM`);
  await conn.execute(`REPLACE INTO ${table} (id, method, chosen_at) VALUES (1, ?, UTC_TIMESTAMP(6))`, [method]);
}
