/** Renders a generated schema to DDL (the generator chose only what the target server accepts). */
import type { ColumnSpec, SchemaSpec, TableSpec } from './model.js';

/** A quoted identifier. */
export function qi(name: string): string {
  return '`' + name.replaceAll('`', '``') + '`';
}

const TEXTUAL = new Set(['char', 'varchar', 'text', 'enum', 'set']);

/** One column's definition in CREATE TABLE. */
export function columnDdl(c: ColumnSpec): string {
  const parts = [qi(c.name), c.sql];
  if (TEXTUAL.has(c.kind) && c.charset) parts.push(`CHARACTER SET ${c.charset} COLLATE ${c.collation}`);
  if (c.generated) {
    parts.push(`AS ${c.generated.expr} ${c.generated.stored ? 'STORED' : 'VIRTUAL'}`);
  } else {
    parts.push(c.nullable ? 'NULL' : 'NOT NULL');
    if (c.autoIncrement) parts.push('AUTO_INCREMENT');
    if (c.defaultSql) parts.push(`DEFAULT ${c.defaultSql}`);
    if (c.onUpdateSql) parts.push(`ON UPDATE ${c.onUpdateSql}`);
  }
  if (c.invisible) parts.push('INVISIBLE');
  if (c.check) parts.push(`CHECK (${c.check})`);
  return parts.join(' ');
}

/** CREATE TABLE of one generated table (keys, foreign keys, checks, functional index, partitions, versioning). */
export function tableDdl(t: TableSpec): string {
  const lines = t.columns.map(columnDdl);
  if (t.pk.length > 0) lines.push(`PRIMARY KEY (${t.pk.map(qi).join(', ')})`);
  for (const fk of t.fks) {
    lines.push(
      `CONSTRAINT ${qi(fk.name)} FOREIGN KEY (${fk.cols.map(qi).join(', ')}) REFERENCES ${qi(fk.refTable)} (${fk.refCols.map(qi).join(', ')}) ON DELETE ${fk.onDelete} ON UPDATE ${fk.onUpdate}`,
    );
  }
  for (const [i, c] of t.checks.entries()) lines.push(`CONSTRAINT ${qi(`chk_${i}`)} CHECK (${c})`);
  if (t.functionalIndex) lines.push(`KEY ${qi('fx')} (${t.functionalIndex.join(', ')})`);
  let ddl = `CREATE TABLE ${qi(t.name)} (\n  ${lines.join(',\n  ')}\n) ENGINE=InnoDB DEFAULT CHARSET=${t.charset} COLLATE=${t.collation}`;
  if (t.versioned) ddl += ' WITH SYSTEM VERSIONING';
  if (t.partitioned) ddl += ' PARTITION BY KEY() PARTITIONS 3';
  return ddl;
}

/** Every statement that creates the schema's objects, in order (run with the schema as default, on one session). */
export function schemaDdl(s: SchemaSpec): string[] {
  const tables = s.tables.flatMap((t) =>
    t.gipk
      ? ['SET SESSION sql_generate_invisible_primary_key = ON', tableDdl(t), 'SET SESSION sql_generate_invisible_primary_key = OFF']
      : [tableDdl(t)],
  );
  return [...tables, ...s.extras];
}
