/**
 * What a statement in the binlog (a Query event) means for key capture. With binlog_format=ROW
 * row changes arrive as row events; Query events carry transaction markers, DDL, TRUNCATE (always
 * logged as a statement: it writes no row events) and, when a session switched itself to
 * STATEMENT format, DML whose rows the binlog does not name. The text is not parsed as SQL: a
 * statement that may touch the schema (its default schema is the schema, or it names the schema)
 * counts as touching it. Erring that way costs a reload, the other way a wrong mirror.
 */

/** The meaning of one Query event. */
export type QueryVerdict =
  | { kind: 'begin' }
  | { kind: 'commit' }
  | { kind: 'ignore' }
  /**
   * TRUNCATE of a captured table, or partition maintenance that moves rows without row events
   * (TRUNCATE PARTITION; EXCHANGE PARTITION, which also names the table exchanged: `with`): copy
   * the table(s) whole.
   */
  | { kind: 'reload'; table: string; with?: string }
  /** The next sync must be a full one: DDL or statement-logged DML on the schema. */
  | { kind: 'full'; reason: 'ddl' | 'statement-dml'; table?: string };

/** Strips leading comments (the server keeps `/* ... *\/` and version comments) and whitespace. */
function stripLead(sql: string): string {
  let s = sql.trimStart();
  for (;;) {
    if (s.startsWith('/*')) {
      const end = s.indexOf('*/');
      if (end < 0) return '';
      s = s.slice(end + 2).trimStart();
    } else if (s.startsWith('#') || s.startsWith('-- ')) {
      const end = s.indexOf('\n');
      if (end < 0) return '';
      s = s.slice(end + 1).trimStart();
    } else return s;
  }
}

const IDENT = '(?:`(?:[^`]|``)+`|[\\w$\\u0080-\\uffff]+)';
const QNAME = new RegExp(`^(${IDENT})(?:\\s*\\.\\s*(${IDENT}))?`);
const unquote = (id: string) => (id.startsWith('`') ? id.slice(1, -1).replace(/``/g, '`') : id);

/** Resolves the (maybe qualified) table name at the start of `text` against the default schema. */
function leadingTable(text: string, defaultSchema: string): { schema: string; table: string } | undefined {
  const m = QNAME.exec(text.trimStart());
  if (!m?.[1]) return undefined;
  return m[2] ? { schema: unquote(m[1]), table: unquote(m[2]) } : { schema: defaultSchema, table: unquote(m[1]) };
}

function namesSchema(sql: string, schema: string): boolean {
  const esc = schema.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\w$])\`?${esc}\`?\\s*\\.|\`${esc}\`|(DATABASE|SCHEMA)\\s+(IF\\s+(NOT\\s+)?EXISTS\\s+)?\`?${esc}\`?(?![\\w$])`, 'i').test(sql);
}

// Statements that change no table data of the schema even when they name it.
const HARMLESS = /^(CREATE|DROP|ALTER)\s+(DEFINER\s*=\s*\S+\s+)?(SQL\s+SECURITY\s+\w+\s+)?(TRIGGER|VIEW|PROCEDURE|FUNCTION|EVENT|USER|ROLE|SERVER|ALGORITHM|OR\s+REPLACE\s+(ALGORITHM|VIEW|DEFINER))\b|^(CREATE|DROP)\s+TEMPORARY\b|^DROP\s+TEMPORARY\b|^(ANALYZE|OPTIMIZE|REPAIR|CHECK)\s|^(GRANT|REVOKE|SET|FLUSH|SAVEPOINT|RELEASE|XA)\b/i;

/**
 * Classifies one Query event of the binlog. `defaultSchema` is the event's schema (the session's
 * current database); `schema` and `tables` are what is captured.
 */
export function classifyQuery(sql: string, defaultSchema: string, schema: string, tables: { has(table: string): boolean }): QueryVerdict {
  const s = stripLead(sql);
  if (/^(BEGIN|START\s+TRANSACTION)\b/i.test(s)) return { kind: 'begin' };
  // MySQL writes COMMIT as a Query event for non-transactional (MyISAM) changes; InnoDB ones end with an Xid event.
  if (/^COMMIT\b/i.test(s)) return { kind: 'commit' };
  if (/^ROLLBACK\b/i.test(s)) return { kind: 'commit' };
  if (HARMLESS.test(s)) return { kind: 'ignore' };
  const truncate = /^TRUNCATE\s+(TABLE\s+)?/i.exec(s);
  if (truncate) {
    const t = leadingTable(s.slice(truncate[0].length), defaultSchema);
    if (t?.schema !== schema) return { kind: 'ignore' };
    return tables.has(t.table) ? { kind: 'reload', table: t.table } : { kind: 'ignore' };
  }
  // DDL whose targets are all named and none is a captured table changes no captured data, even
  // when the session's default schema is this one or it reads from it (CREATE TABLE x.t AS SELECT
  // …, dualpipe's own __dp_ tables dropped by a switch to binlog capture). A table added to or
  // dropped from the schema is caught by the sync's own comparison of the table set.
  const partition = partitionMaintenance(s, defaultSchema, schema, tables);
  if (partition) return partition;
  const targets = ddlTargets(s, defaultSchema);
  if (targets?.every((t) => t.schema !== schema || (t.table !== '' && !tables.has(t.table)))) return { kind: 'ignore' };
  const touches = defaultSchema === schema || namesSchema(s, schema);
  if (!touches) return { kind: 'ignore' };
  const ddl = /^(CREATE|ALTER|DROP|RENAME)\s+(ONLINE\s+|OFFLINE\s+|IGNORE\s+)?(TABLE|DATABASE|SCHEMA|INDEX|UNIQUE|FULLTEXT|SPATIAL)?\s*(IF\s+(NOT\s+)?EXISTS\s+)?/i.exec(s);
  if (ddl) {
    const t = ddl[3] && /^TABLE$/i.test(ddl[3]) ? leadingTable(s.slice(ddl[0].length), defaultSchema) : undefined;
    return { kind: 'full', reason: 'ddl', ...(t?.schema === schema ? { table: t.table } : {}) };
  }
  if (/^(INSERT|UPDATE|DELETE|REPLACE|LOAD)\b/i.test(s)) return { kind: 'full', reason: 'statement-dml' };
  return { kind: 'ignore' };
}

/** Splits `a, b` at top-level commas (names hold no parentheses; backquoted names may hold commas). */
function nameList(text: string): string[] {
  const out: string[] = [];
  let rest = text.trimStart();
  for (;;) {
    const m = QNAME.exec(rest);
    if (!m) return out;
    out.push(m[0]);
    rest = rest.slice(m[0].length).trimStart();
    const to = /^TO\s+/i.exec(rest);
    if (to) {
      rest = rest.slice(to[0].length);
      continue;
    }
    if (!rest.startsWith(',')) return out;
    rest = rest.slice(1).trimStart();
  }
}

/**
 * The tables a DDL statement changes, resolved against the default schema, when the statement's
 * form names them all: CREATE TABLE (not what it reads), DROP TABLE lists, RENAME TABLE pairs,
 * CREATE/DROP INDEX … ON, ALTER TABLE without RENAME, CREATE/DROP DATABASE. Undefined otherwise.
 */
function ddlTargets(s: string, defaultSchema: string): { schema: string; table: string }[] | undefined {
  const db = new RegExp(`^(CREATE|DROP|ALTER)\\s+(DATABASE|SCHEMA)\\s+(IF\\s+(NOT\\s+)?EXISTS\\s+)?(${IDENT})`, 'i').exec(s);
  if (db?.[5]) return [{ schema: unquote(db[5]), table: '' }];
  const resolve = (names: string[]) => names.map((n) => leadingTable(n, defaultSchema)!);
  const create = /^CREATE\s+(OR\s+REPLACE\s+)?TABLE\s+(IF\s+NOT\s+EXISTS\s+)?/i.exec(s);
  if (create) return resolve(nameList(s.slice(create[0].length)).slice(0, 1));
  const drop = /^DROP\s+TABLE\s+(IF\s+EXISTS\s+)?/i.exec(s);
  if (drop) return resolve(nameList(s.slice(drop[0].length)));
  const rename = /^RENAME\s+TABLES?\s+/i.exec(s);
  if (rename) return resolve(nameList(s.slice(rename[0].length)));
  const index = /^(CREATE|DROP)\s+((UNIQUE|FULLTEXT|SPATIAL)\s+)?INDEX\s+\S+\s+ON\s+/i.exec(s);
  if (index) return resolve(nameList(s.slice(index[0].length)).slice(0, 1));
  const alter = /^ALTER\s+(ONLINE\s+|IGNORE\s+)?TABLE\s+(IF\s+EXISTS\s+)?/i.exec(s);
  if (alter && !/\bRENAME\b/i.test(s)) return resolve(nameList(s.slice(alter[0].length)).slice(0, 1));
  return undefined;
}

/**
 * `ALTER TABLE t TRUNCATE PARTITION …` and `ALTER TABLE t EXCHANGE PARTITION p WITH TABLE u`: rows
 * change without row events and the definitions stay (the sync's DDL comparison sees nothing), so
 * the captured tables named are reloaded; undefined for any other statement (or one that also
 * does something else: the generic DDL rule then runs a full sync).
 */
function partitionMaintenance(s: string, defaultSchema: string, schema: string, tables: { has(table: string): boolean }): QueryVerdict | undefined {
  const alter = /^ALTER\s+(ONLINE\s+|IGNORE\s+)?TABLE\s+/i.exec(s);
  if (!alter) return undefined;
  const rest = s.slice(alter[0].length);
  const m = QNAME.exec(rest);
  if (!m) return undefined;
  const target = leadingTable(m[0], defaultSchema)!;
  const op = rest.slice(m[0].length).trim();
  const captured = (t: { schema: string; table: string } | undefined) => t !== undefined && t.schema === schema && tables.has(t.table);
  if (/^TRUNCATE\s+PARTITION\s+[^;]*$/i.test(op) && !/,\s*(ADD|DROP|MODIFY|CHANGE|ALTER|RENAME)\b/i.test(op)) {
    return captured(target) ? { kind: 'reload', table: target.table } : target.schema === schema ? { kind: 'ignore' } : undefined;
  }
  const exchange = /^EXCHANGE\s+PARTITION\s+\S+\s+WITH\s+TABLE\s+/i.exec(op);
  if (exchange) {
    const other = leadingTable(op.slice(exchange[0].length), defaultSchema);
    const mine = [target, other].filter(captured).map((t) => t!.table);
    if (mine.length === 0) return target.schema === schema || other?.schema === schema ? { kind: 'ignore' } : undefined;
    return { kind: 'reload', table: mine[0]!, ...(mine[1] ? { with: mine[1] } : {}) };
  }
  return undefined;
}
