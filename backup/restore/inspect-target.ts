/** What the target schema of a restore holds now, for the planner's checks. Read-only. */
import type { SqlConnection } from '../../src/db/connection.js';
import { MIGRATIONS_TABLE_NAME } from '../../src/catalog/discover-tables.js';
import { readMigrations } from '../../src/catalog/source-state.js';
import type { TargetState } from './check-target-fit.js';
import { derivedSchemaName } from './plan-restore.js';

/** The server's own schemas, in lower case: a restore never writes into them. */
export const SYSTEM_SCHEMAS = new Set(['mysql', 'sys', 'information_schema', 'performance_schema']);

/** Reads what the target holds now, for the planner's checks. Read-only. */
export async function inspectTarget(conn: SqlConnection, target: string, restoring: readonly string[]): Promise<TargetState> {
  const exists = (await conn.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [target])).length > 0;
  const state: TargetState = { exists, tables: {}, migrations: null, incomingForeignKeys: [] };
  if (!exists) return state;
  const wanted = new Set(restoring);
  const objects = await conn.query<{ t: string; type: string }>(
    'SELECT TABLE_NAME AS t, TABLE_TYPE AS type FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
    [target],
  );
  for (const o of objects) if (wanted.has(o.t)) state.tables[o.t] = { type: o.type, columns: [], triggers: [] };
  state.liveTables = objects.filter((o) => o.type === 'BASE TABLE').map((o) => o.t);
  const cols = await conn.query<{ t: string; c: string }>(
    `SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = ? AND (GENERATION_EXPRESSION IS NULL OR GENERATION_EXPRESSION = '')
      ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    [target],
  );
  for (const c of cols) state.tables[c.t]?.columns.push(c.c);
  const triggers = await conn.query<{ t: string; name: string }>(
    'SELECT EVENT_OBJECT_TABLE AS t, TRIGGER_NAME AS name FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ?',
    [target],
  );
  for (const tr of triggers) state.tables[tr.t]?.triggers.push(tr.name);
  const refs = await conn.query<{ s: string; t: string; name: string; to: string }>(
    `SELECT CONSTRAINT_SCHEMA AS s, TABLE_NAME AS t, CONSTRAINT_NAME AS name, REFERENCED_TABLE_NAME AS \`to\`
       FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE UNIQUE_CONSTRAINT_SCHEMA = ?`,
    [target],
  );
  // The rollback window of the last restore is dropped before the swap: its keys do not count.
  const previous = derivedSchemaName(target, '__dp_previous');
  state.incomingForeignKeys = refs
    .filter((r) => state.tables[r.to] && !(r.s === target && wanted.has(r.t)) && r.s !== previous)
    .map((r) => ({ from: `${r.s}.${r.t}`, name: r.name, to: r.to }));
  if (objects.some((o) => o.t === MIGRATIONS_TABLE_NAME)) state.migrations = await readMigrations(conn, target);
  return state;
}

/** Whether `schema` exists on the server (information_schema.SCHEMATA). */
export async function schemaExists(conn: SqlConnection, schema: string): Promise<boolean> {
  return (await conn.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [schema])).length > 0;
}

