/** The product catalog and purchase history. */
import type { Knex } from 'knex';
import {
  createdAt,
  crmTable,
  datetime6,
  foreignKey,
  idColumn,
  index,
  refColumn,
  updatedAt,
} from './columns.js';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('catalog_items', (t) => {
    crmTable(t);
    idColumn(t);
    t.string('sku', 64).notNullable();
    t.string('name', 191).notNullable();
    t.string('category', 64).notNullable();
    t.decimal('unit_price', 12, 2).notNullable();
    t.boolean('is_active').notNullable().defaultTo(true);
    t.text('description').nullable();
    createdAt(knex, t);
    updatedAt(knex, t, 'catalog_items');
    t.unique(['sku'], { indexName: 'uq_catalog_items_sku' });
    index(t, 'catalog_items', ['category']);
  });

  await knex.schema.createTable('transactions', (t) => {
    crmTable(t);
    idColumn(t);
    refColumn(t, 'contact_id', false);
    refColumn(t, 'organization_id', true);
    t.enu('status', ['pending', 'paid', 'refunded', 'cancelled']).notNullable().defaultTo('pending');
    t.specificType('currency', 'CHAR(3)').notNullable();
    t.decimal('total_amount', 14, 2).notNullable();
    datetime6(t, 'occurred_at');
    createdAt(knex, t);
    updatedAt(knex, t, 'transactions');
    index(t, 'transactions', ['contact_id', 'occurred_at']);
    index(t, 'transactions', ['occurred_at']);
    index(t, 'transactions', ['organization_id']);
    foreignKey(t, 'transactions', 'contact_id', 'contacts', 'CASCADE');
    foreignKey(t, 'transactions', 'organization_id', 'organizations', 'SET NULL');
  });

  await knex.schema.createTable('transaction_items', (t) => {
    crmTable(t);
    idColumn(t);
    refColumn(t, 'transaction_id', false);
    refColumn(t, 'catalog_item_id', false);
    t.integer('quantity').notNullable();
    t.decimal('unit_price', 12, 2).notNullable();
    // A stored generated column on purpose: copies must skip it on insert, and mirrors recompute it.
    t.specificType('line_total', 'DECIMAL(14,2) GENERATED ALWAYS AS (`quantity` * `unit_price`) STORED');
    createdAt(knex, t);
    updatedAt(knex, t, 'transaction_items');
    index(t, 'transaction_items', ['transaction_id']);
    index(t, 'transaction_items', ['catalog_item_id']);
    foreignKey(t, 'transaction_items', 'transaction_id', 'transactions', 'CASCADE');
    foreignKey(t, 'transaction_items', 'catalog_item_id', 'catalog_items', 'RESTRICT');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['transaction_items', 'transactions', 'catalog_items']) {
    await knex.schema.dropTableIfExists(table);
  }
}
