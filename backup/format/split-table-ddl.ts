/**
 * Splits an InnoDB CREATE TABLE (SHOW CREATE TABLE output) into the parts a restore creates before
 * the load and the secondary keys and foreign keys it adds after it. Pure.
 */
import { quoteId } from '../../src/db/quote.js';
import { BackupError } from '../../src/errors.js';

/**
 * One foreign key of a table's DDL: its `columns` reference `refColumns` of `refTable` (the table's
 * name only; a schema qualifier in the DDL is dropped).
 */
export interface ForeignKeyDef {
  name: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
}

/** A manifest table's DDL taken apart: what CREATE builds before the load, what ALTER adds after it. */
export interface TableDdl {
  /** Unqualified CREATE TABLE, run on a session whose default schema is the staging schema. */
  createSql: string;
  /**
   * The ALTERs run after the load, in order: one adding the deferred secondary indexes, one adding
   * the foreign keys (each only when there is something to add). Two statements, not one: MariaDB
   * 10.11.19 crashed (signal 11, in mysql_alter_table) on one ALTER adding an index and a
   * `ON DELETE SET NULL` foreign key over it with foreign_key_checks=0 (torture seed 9510,
   * bench/results/torture-mariadb-crash-seed9510.md). With the index in place the foreign key is
   * metadata only, so the second statement costs next to nothing.
   */
  alterSqls: string[];
  deferred: string[];
  /** Non-generated columns in DDL order (must equal the manifest's column list). */
  columns: string[];
  foreignKeys: ForeignKeyDef[];
}

const NAME = /`((?:[^`]|``)+)`/g;
const names = (text: string) => [...text.matchAll(NAME)].map((m) => m[1]!.replaceAll('``', '`'));
const KEY_LINE = /^\s+(UNIQUE KEY|KEY) `(?:[^`]|``)+` \(/;
/** A list of quoted names, `a`,`b`: a name may itself hold `(`, `)` or `,` (seed 30082: a column `(paren)`). */
const NAME_LIST = '((?:`(?:[^`]|``)+`(?:, ?)?)+)';
const FK_LINE = new RegExp(
  `^\\s+CONSTRAINT \`((?:[^\`]|\`\`)+)\` FOREIGN KEY \\(${NAME_LIST}\\) REFERENCES ((?:\`(?:[^\`]|\`\`)+\`\\.)?)\`((?:[^\`]|\`\`)+)\` \\(${NAME_LIST}\\)`,
);
const GENERATED = /\sGENERATED ALWAYS AS \(|\sAS \(.*\)\s+(VIRTUAL|STORED|PERSISTENT)\b/i;

/**
 * The table a CREATE TABLE (SHOW CREATE TABLE output, any engine) creates and its non-generated
 * columns in order, read the way `splitTableDdl` reads them; undefined when the first line is not
 * `CREATE TABLE \`name\` (`. Lets the manifest check that its names are the DDL's names.
 */
export function declaredTable(ddl: string): { name: string; columns: string[] } | undefined {
  const lines = ddl.split('\n');
  const head = /^CREATE TABLE `((?:[^`]|``)+)` \($/.exec(lines[0] ?? '');
  if (!head) return undefined;
  const end = lines.findIndex((l, i) => i > 0 && l.startsWith(')'));
  const columns: string[] = [];
  for (const line of lines.slice(1, end > 0 ? end : lines.length)) {
    const col = /^\s+`((?:[^`]|``)+)` /.exec(line);
    if (col && !GENERATED.test(line.replace(/,$/, ''))) columns.push(col[1]!.replaceAll('``', '`'));
  }
  return { name: head[1]!.replaceAll('``', '`'), columns };
}

/**
 * Splits `SHOW CREATE TABLE` output. With `defer`, secondary (UNIQUE and plain) keys and foreign
 * keys move to ALTERs run after the load: InnoDB builds an index from sorted data much faster
 * than it maintains it row by row. All of them move, in their order, so the table ends up with the
 * same SHOW CREATE TABLE as the source. FULLTEXT/SPATIAL stay (adding the first FULLTEXT index
 * rebuilds the table). Tables without a primary key, or whose AUTO_INCREMENT column or a
 * referenced column set needs a secondary key, keep everything at CREATE.
 */
export function splitTableDdl(
  table: string,
  ddl: string,
  options: { defer: boolean; referenced?: readonly string[][]; file?: string; liveSchema?: string },
): TableDdl {
  // Every refusal here is of a backup's DDL that dualpipe would not have written: a damaged or foreign backup.
  const refuse = (message: string) =>
    new BackupError(options.file ?? 'manifest', `table ${table}: ${message}`, { hint: 'the manifest is damaged or not from dualpipe: use another backup' });
  const lines = ddl.split('\n');
  const head = /^CREATE TABLE `((?:[^`]|``)+)` \($/.exec(lines[0] ?? '');
  if (!head || head[1]!.replaceAll('``', '`') !== table)
    throw refuse(`the DDL does not start with CREATE TABLE \`${table}\` (`);
  const end = lines.findIndex((l, i) => i > 0 && l.startsWith(')'));
  const tail = end > 0 ? lines.slice(end).join('\n') : '';
  const tailText = tail.replace(/'(?:[^'\\]|\\.|'')*'/g, "''");
  // One statement only: a `;` outside quoted names and strings would start another one.
  const bare = ddl.replace(/`(?:[^`]|``)*`/g, '``').replace(/'(?:[^'\\]|\\.|'')*'/g, "''");
  if (bare.includes(';')) throw refuse('the DDL holds more than one statement');
  if (!/^\) ENGINE=InnoDB\b/.test(tail) || /\b(SELECT|DIRECTORY|CONNECTION|UNION)\b/i.test(tailText))
    throw refuse('the DDL is not a plain InnoDB table definition');
  const body = lines.slice(1, end).map((l) => l.replace(/,$/, ''));
  const columns: string[] = [];
  const foreignKeys: ForeignKeyDef[] = [];
  let primary: string[] = [];
  let autoIncrement: string | undefined;
  for (const line of body) {
    const col = /^\s+`((?:[^`]|``)+)` /.exec(line);
    if (col) {
      const name = col[1]!.replaceAll('``', '`');
      if (!GENERATED.test(line)) columns.push(name);
      if (/\sAUTO_INCREMENT\b/i.test(line)) autoIncrement = name;
    } else if (/^\s+PRIMARY KEY \(/.test(line)) primary = names(line);
    const fk = FK_LINE.exec(line);
    if (fk) {
      // Only the planner qualifies a reference (a parent left out of --tables stays live in the target).
      if (fk[3] && (!options.liveSchema || fk[3] !== `${quoteId(options.liveSchema)}.`))
        throw refuse(`foreign key ${fk[1]} references another schema`);
      foreignKeys.push({
        name: fk[1]!.replaceAll('``', '`'),
        columns: names(fk[2]!),
        refTable: fk[4]!.replaceAll('``', '`'),
        refColumns: names(fk[5]!),
      });
    } else if (/^\s+CONSTRAINT `(?:[^`]|``)+` FOREIGN KEY/.test(line))
      throw refuse(`cannot read the foreign key ${line.trim()}`);
  }
  const isPkPrefix = (cols: readonly string[]) => cols.every((c, i) => primary[i] === c);
  const keepAll =
    !options.defer ||
    primary.length === 0 ||
    (autoIncrement !== undefined && primary[0] !== autoIncrement) ||
    (options.referenced ?? []).some((cols) => !isPkPrefix(cols));
  const moved = keepAll ? [] : body.filter((l) => KEY_LINE.test(l) || FK_LINE.test(l));
  const tableCollation = /\sCOLLATE=(\w+)/.exec(tail)?.[1];
  const kept = body.filter((l) => !moved.includes(l)).map((l) => (/^\s+`/.test(l) ? dropInheritedCollation(l, tableCollation) : l));
  return {
    createSql: `${lines[0]}\n${kept.join(',\n')}\n${tail}`,
    alterSqls: [moved.filter((l) => !FK_LINE.test(l)), moved.filter((l) => FK_LINE.test(l))]
      .filter((part) => part.length > 0)
      .map((part) => `ALTER TABLE ${quoteId(table)} ${part.map((l) => `ADD ${l.trim()}`).join(', ')}`),
    deferred: moved.map((l) => names(l)[0]!),
    columns,
    foreignKeys,
  };
}

/** What the target schema holds now (read-only inspection, before anything is written). */

/**
 * A column line without the `COLLATE x` that only restates the table's collation. MySQL's SHOW
 * CREATE TABLE prints a column's collation whenever it is not its character set's default (utf8mb4's
 * is utf8mb4_0900_ai_ci), even when it comes from the table; running that text marks the collation
 * as given explicitly, and the new table then prints `CHARACTER SET utf8mb4 COLLATE …` for every
 * such column: a restore would not reproduce the source's DDL. MariaDB never prints an inherited
 * collation, and a line that names its CHARACTER SET was explicit in the source: both stay as they are.
 */
export function dropInheritedCollation(line: string, tableCollation: string | undefined): string {
  if (!tableCollation) return line;
  // Look only at the column's own clauses: not inside names, strings or a generation expression.
  const masked = line
    .replace(/`(?:[^`]|``)*`/g, (m) => `\`${'x'.repeat(m.length - 2)}\``)
    .replace(/'(?:[^'\\]|\\.|'')*'/g, (m) => `'${'x'.repeat(m.length - 2)}'`);
  const own = masked.split(/ GENERATED ALWAYS AS \(| AS \(/)[0]!;
  if (own.includes(' CHARACTER SET ')) return line;
  const needle = ` COLLATE ${tableCollation}`;
  const at = own.indexOf(needle);
  if (at < 0 || /\w/.test(own[at + needle.length] ?? '')) return line;
  return line.slice(0, at) + line.slice(at + needle.length);
}
