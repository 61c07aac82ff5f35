/** Staff users, organizations, contacts (customer profiles), their addresses and tags. */
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
  await knex.schema.createTable('users', (t) => {
    crmTable(t);
    idColumn(t);
    // Indexed VARCHARs stop at 191: 191 * 4 bytes stays under MyISAM's 1000-byte key limit.
    t.string('email', 191).notNullable();
    t.string('full_name', 191).notNullable();
    t.enu('role', ['admin', 'manager', 'sales', 'support', 'marketing']).notNullable().defaultTo('sales');
    t.boolean('is_active').notNullable().defaultTo(true);
    createdAt(knex, t);
    updatedAt(knex, t, 'users');
    t.unique(['email'], { indexName: 'uq_users_email' });
  });

  await knex.schema.createTable('organizations', (t) => {
    crmTable(t);
    idColumn(t);
    t.string('name', 191).notNullable();
    t.string('domain', 191).nullable();
    t.string('industry', 64).nullable();
    t.integer('employee_count').nullable();
    t.decimal('annual_revenue', 15, 2).nullable();
    refColumn(t, 'owner_user_id', true);
    createdAt(knex, t);
    updatedAt(knex, t, 'organizations');
    index(t, 'organizations', ['name']);
    index(t, 'organizations', ['domain']);
    index(t, 'organizations', ['owner_user_id']);
    foreignKey(t, 'organizations', 'owner_user_id', 'users', 'SET NULL');
  });

  await knex.schema.createTable('contacts', (t) => {
    crmTable(t);
    idColumn(t);
    refColumn(t, 'organization_id', true);
    refColumn(t, 'owner_user_id', true);
    t.string('first_name', 100).notNullable();
    t.string('last_name', 100).notNullable();
    t.string('email', 191).notNullable();
    t.string('phone', 32).nullable();
    t.string('job_title', 128).nullable();
    t.enu('lifecycle_stage', ['lead', 'prospect', 'customer', 'churned']).notNullable().defaultTo('lead');
    t.json('preferences').nullable();
    t.boolean('marketing_opt_in').notNullable().defaultTo(false);
    t.smallint('lead_score').notNullable().defaultTo(0);
    t.date('birth_date').nullable();
    createdAt(knex, t);
    updatedAt(knex, t, 'contacts');
    t.unique(['email'], { indexName: 'uq_contacts_email' });
    index(t, 'contacts', ['owner_user_id', 'lifecycle_stage']);
    index(t, 'contacts', ['organization_id']);
    // (100 + 100) * 4 bytes: fits the MyISAM key limit.
    index(t, 'contacts', ['last_name', 'first_name']);
    foreignKey(t, 'contacts', 'organization_id', 'organizations', 'SET NULL');
    foreignKey(t, 'contacts', 'owner_user_id', 'users', 'SET NULL');
  });

  await knex.schema.createTable('addresses', (t) => {
    crmTable(t);
    idColumn(t);
    refColumn(t, 'contact_id', false);
    t.enu('kind', ['billing', 'shipping', 'home', 'work']).notNullable();
    t.string('line1', 191).notNullable();
    t.string('line2', 191).nullable();
    t.string('city', 100).notNullable();
    t.string('region', 100).notNullable();
    t.string('postal_code', 20).notNullable();
    t.specificType('country_code', 'CHAR(2)').notNullable();
    t.boolean('is_primary').notNullable().defaultTo(false);
    createdAt(knex, t);
    updatedAt(knex, t, 'addresses');
    index(t, 'addresses', ['contact_id']);
    foreignKey(t, 'addresses', 'contact_id', 'contacts', 'CASCADE');
  });

  // A composite primary key, partly a string, on purpose: the sync must handle it.
  await knex.schema.createTable('contact_tags', (t) => {
    crmTable(t);
    refColumn(t, 'contact_id', false);
    t.string('tag', 64).notNullable();
    datetime6(t, 'added_at');
    updatedAt(knex, t, 'contact_tags');
    t.primary(['contact_id', 'tag']);
    index(t, 'contact_tags', ['tag']);
    foreignKey(t, 'contact_tags', 'contact_id', 'contacts', 'CASCADE');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['contact_tags', 'addresses', 'contacts', 'organizations', 'users']) {
    await knex.schema.dropTableIfExists(table);
  }
}
