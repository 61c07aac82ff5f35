/**
 * A foreign key's ON DELETE / ON UPDATE rules read from its child's `SHOW CREATE TABLE`. MariaDB
 * lists a foreign key in information_schema.REFERENTIAL_CONSTRAINTS (and TABLE_CONSTRAINTS) only to
 * an account holding a privilege beyond SELECT on the table, while KEY_COLUMN_USAGE and SHOW CREATE
 * TABLE show it with SELECT alone: a least-privilege sync account would otherwise see no cascade at
 * all. Pure.
 */

/**
 * A foreign key's ON DELETE or ON UPDATE rule, as information_schema spells it. CASCADE, SET NULL
 * and SET DEFAULT change child rows without firing the children's triggers (foreign-keys.ts).
 */
export type FkRule = 'CASCADE' | 'SET NULL' | 'SET DEFAULT' | 'RESTRICT' | 'NO ACTION';

const RULE = '(CASCADE|SET NULL|SET DEFAULT|RESTRICT|NO ACTION)';
/** A backquoted identifier (a backquote inside doubled). */
const IDENT = new RegExp('`(?:[^`]|``)*`', 'g');

const quoted = (name: string) => '`' + name.replaceAll('`', '``') + '`';

/**
 * The rules of the constraint `name` in `ddl`, or undefined when `ddl` has no such foreign key.
 * A rule the DDL leaves out is the server's default, RESTRICT (which no cascade acts on).
 */
export function fkRulesFromDdl(ddl: string, name: string): { onDelete: FkRule; onUpdate: FkRule } | undefined {
  const head = `CONSTRAINT ${quoted(name)} FOREIGN KEY `;
  for (const line of ddl.split('\n')) {
    const at = line.trimStart();
    if (!at.startsWith(head)) continue;
    // Identifiers blanked first: a column or table named "x ON DELETE CASCADE" must not read as a rule.
    const rest = at.slice(head.length).replace(IDENT, '``');
    const del = new RegExp(`\\bON DELETE ${RULE}`).exec(rest);
    const upd = new RegExp(`\\bON UPDATE ${RULE}`).exec(rest);
    return { onDelete: (del?.[1] ?? 'RESTRICT') as FkRule, onUpdate: (upd?.[1] ?? 'RESTRICT') as FkRule };
  }
  return undefined;
}
