import type { SqlConnection } from '../db/connection.js';
import { filenameOfAscii, pairEncodedNames } from './innodb-names.js';

export { filenameOfAscii } from './innodb-names.js';

/**
 * A fingerprint of InnoDB's internal ids of each table of `schema`. TRUNCATE TABLE fires no
 * triggers, but it recreates the table, so its id changes (so do ALTERs that rebuild it): an
 * incremental sync that sees a new fingerprint copies that table whole. MySQL 8 names the view
 * INNODB_TABLES, MariaDB INNODB_SYS_TABLES; both need the PROCESS privilege. Null when neither
 * can be read.
 *
 * InnoDB facts that bite here:
 * - NAME is `schema/table` in the server's file-name encoding (`t é` is `t@0020@0p`; `%`, `.`,
 *   quotes and most non-ASCII letters are escaped, letters by a table of two-character codes),
 *   the schema name too. Rather than decode it, the server encodes information_schema's names
 *   with `CONVERT(… USING filename)` and the two are compared as bytes.
 * - A partitioned table has one InnoDB table per (sub)partition, `t#P#p0` on MariaDB, `t#p#p0`
 *   on MySQL 8 (`#` itself is always escaped in a table name, so the prefix is unambiguous).
 *   TRUNCATE, `ALTER TABLE … TRUNCATE PARTITION` and `EXCHANGE PARTITION` each give the
 *   partitions they touch new ids (EXCHANGE swaps the ids of a partition and the other table):
 *   the fingerprint lists every partition's name and id.
 * A non-partitioned table's fingerprint is its id alone, as it was before partitions counted.
 */
export async function readTableIds(conn: SqlConnection, schema: string): Promise<Record<string, string> | null> {
  for (const view of ['INNODB_TABLES', 'INNODB_SYS_TABLES']) {
    try {
      const rows = await conn.query<{ name: string; part: string; id: string | number }>(
        `SELECT e.name AS name, CAST(i.NAME AS CHAR) AS part, i.TABLE_ID AS id
           FROM (SELECT TABLE_NAME AS name,
                        CONCAT(CAST(CONVERT(TABLE_SCHEMA USING filename) AS BINARY), _binary'/', CAST(CONVERT(TABLE_NAME USING filename) AS BINARY)) AS enc
                   FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE') AS e
           JOIN information_schema.${view} AS i
             ON CAST(i.NAME AS BINARY) = e.enc
             OR LEFT(CAST(i.NAME AS BINARY), LENGTH(e.enc) + 3) IN (CONCAT(e.enc, _binary'#P#'), CONCAT(e.enc, _binary'#p#'))`,
        [schema],
      );
      return fingerprints(rows);
    } catch {
      // not this flavour, no PROCESS privilege, or no `filename` character set: see below
    }
  }
  // Without `USING filename` (MySQL has no such character set in SQL).
  return readTableIdsPaired(conn, schema);
}

/** readTableIds without the server's `filename` encoding: InnoDB's names paired in innodbNamesOf. */
export async function readTableIdsPaired(conn: SqlConnection, schema: string): Promise<Record<string, string> | null> {
  for (const view of ['INNODB_TABLES', 'INNODB_SYS_TABLES']) {
    try {
      return fingerprints(await innodbNamesOf(conn, view, schema));
    } catch {
      // not this flavour, or no PROCESS privilege
    }
  }
  return null;
}

/** One fingerprint per table from its InnoDB tables (one, or one per partition). Pure. */
export function fingerprints(rows: readonly { name: string; part: string; id: string | number }[]): Record<string, string> {
  const byTable = new Map<string, { part: string; id: string }[]>();
  for (const r of rows) {
    const list = byTable.get(r.name) ?? [];
    list.push({ part: String(r.part), id: String(r.id) });
    byTable.set(r.name, list);
  }
  const out: Record<string, string> = {};
  for (const [name, parts] of byTable) {
    if (parts.length === 1 && !parts[0]!.part.includes('#')) out[name] = parts[0]!.id;
    else out[name] = parts.sort((a, b) => (a.part < b.part ? -1 : a.part > b.part ? 1 : 0)).map((p) => `${p.part.slice(p.part.indexOf('#'))}=${p.id}`).join(',');
  }
  return out;
}

/** The ASCII start of a name (up to its first other character), for a LIKE prefix. */
function asciiStart(name: string): string {
  return /^[\x01-\x7f]*/.exec(name)![0];
}
const likePrefix = (s: string): string => `${s.replace(/[\\%_]/g, '\\$&')}%`;

/**
 * The InnoDB tables of `schema` named by their information_schema names, when the server cannot
 * encode names (MySQL): InnoDB's names that start like the schema's are paired with the schemas
 * and tables that exist (innodb-names.ts). A table whose name could be two encodings, or whose
 * encoding could be two tables, gets no fingerprint; the sync says so in its notes.
 */
async function innodbNamesOf(conn: SqlConnection, view: string, schema: string): Promise<{ name: string; part: string; id: string | number }[]> {
  const rows = await conn.query<{ part: string; id: string | number }>(
    `SELECT CAST(NAME AS CHAR) AS part, TABLE_ID AS id FROM information_schema.${view} WHERE NAME LIKE ?`,
    [likePrefix(filenameOfAscii(asciiStart(schema))!)],
  );
  const split = rows.map((r) => {
    const slash = r.part.indexOf('/'); // `/` inside a name is always encoded (@002f)
    return { ...r, encSchema: r.part.slice(0, slash), encTable: r.part.slice(slash + 1).replace(/#.*$/s, '') };
  });
  const schemas = await conn.query<{ s: string }>('SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?', [likePrefix(asciiStart(schema))]);
  const schemaOf = pairEncodedNames(schemas.map((r) => r.s), new Set(split.map((r) => r.encSchema)));
  const mine = split.filter((r) => schemaOf.get(r.encSchema) === schema);
  const tables = await conn.query<{ t: string }>(
    "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'",
    [schema],
  );
  const tableOf = pairEncodedNames(tables.map((r) => r.t), new Set(mine.map((r) => r.encTable)));
  return mine.flatMap((r) => {
    const name = tableOf.get(r.encTable);
    return name === undefined ? [] : [{ name, part: r.part, id: r.id }];
  });
}
