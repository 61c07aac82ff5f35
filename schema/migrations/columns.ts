/**
 * Column and table helpers shared by the migrations. Migrations are history: never change what
 * an existing helper emits (that would silently change old migrations); add a new helper instead.
 */
import type { Knex } from 'knex';

/** Every CRM table: InnoDB, utf8mb4 with the collation the MyISAM mirrors copy. */
export function crmTable(t: Knex.CreateTableBuilder): void {
  t.engine('InnoDB');
  t.charset('utf8mb4');
  t.collate('utf8mb4_unicode_ci');
}

/** `id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY`. */
export function idColumn(t: Knex.CreateTableBuilder): void {
  t.bigIncrements('id');
}

/** A BIGINT UNSIGNED reference column (the foreign key itself is added by `foreignKey`). */
export function refColumn(t: Knex.CreateTableBuilder, name: string, nullable: boolean): void {
  const column = t.bigInteger(name).unsigned();
  if (nullable) column.nullable();
  else column.notNullable();
}

/** `DATETIME(6)`: microseconds, no time zone conversion (unlike TIMESTAMP). */
export function datetime6(t: Knex.CreateTableBuilder, name: string, nullable = false): void {
  const column = t.specificType(name, 'DATETIME(6)');
  if (nullable) column.nullable();
  else column.notNullable();
}

/** `created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)`. */
export function createdAt(knex: Knex, t: Knex.CreateTableBuilder, name = 'created_at'): void {
  t.specificType(name, 'DATETIME(6)').notNullable().defaultTo(knex.raw('CURRENT_TIMESTAMP(6)'));
}

/**
 * `updated_at`, maintained by the server, with the index incremental syncs scan. Note that
 * changes made by cascading foreign keys (SET NULL, ON UPDATE CASCADE) do not bump it.
 */
export function updatedAt(knex: Knex, t: Knex.CreateTableBuilder, table: string): void {
  t.specificType('updated_at', 'DATETIME(6)')
    .notNullable()
    .defaultTo(knex.raw('CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)'));
  t.index(['updated_at'], `ix_${table}_updated_at`);
}

type Action = 'CASCADE' | 'SET NULL' | 'RESTRICT';

/**
 * A named foreign key to `parent.id`. Declare it after the indexes: MySQL creates an index of
 * its own for a foreign key that no index covers yet, with a server-dependent fate.
 */
export function foreignKey(
  t: Knex.CreateTableBuilder,
  table: string,
  column: string,
  parent: string,
  onDelete: Action,
  onUpdate?: Action,
): void {
  const fk = t.foreign(column, `fk_${table}_${column}`).references('id').inTable(parent).onDelete(onDelete);
  if (onUpdate) fk.onUpdate(onUpdate);
}

/** A plain secondary index named `ix_<table>_<columns>`. */
export function index(t: Knex.CreateTableBuilder, table: string, columns: string[]): void {
  t.index(columns, `ix_${table}_${columns.join('_')}`);
}
