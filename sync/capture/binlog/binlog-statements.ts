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
  /** TRUNCATE of a captured table: that table must be copied whole. */
  | { kind: 'reload'; table: string }
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
