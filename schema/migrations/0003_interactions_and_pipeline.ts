/** Contact interactions (emails, calls, meetings) and the sales pipeline. */
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
  await knex.schema.createTable('interactions', (t) => {
    crmTable(t);
    idColumn(t);
    refColumn(t, 'contact_id', false);
    refColumn(t, 'user_id', true);
    t.enu('channel', ['email', 'phone', 'social', 'meeting', 'chat']).notNullable();
    t.enu('direction', ['inbound', 'outbound']).notNullable();
    t.string('subject', 191).notNullable();
    t.text('body').nullable();
    datetime6(t, 'occurred_at');
    t.integer('duration_seconds').nullable();
    createdAt(knex, t);
    updatedAt(knex, t, 'interactions');
    index(t, 'interactions', ['contact_id', 'occurred_at']);
    index(t, 'interactions', ['channel', 'occurred_at']);
    index(t, 'interactions', ['user_id']);
    foreignKey(t, 'interactions', 'contact_id', 'contacts', 'CASCADE');
    foreignKey(t, 'interactions', 'user_id', 'users', 'SET NULL');
  });

  await knex.schema.createTable('pipeline_stages', (t) => {
    crmTable(t);
    idColumn(t);
    t.string('name', 100).notNullable();
    t.integer('position').notNullable();
    t.decimal('probability', 5, 4).notNullable();
    t.boolean('is_closed').notNullable().defaultTo(false);
    t.boolean('is_won').notNullable().defaultTo(false);
    createdAt(knex, t);
    updatedAt(knex, t, 'pipeline_stages');
    t.unique(['name'], { indexName: 'uq_pipeline_stages_name' });
  });

  await knex.schema.createTable('opportunities', (t) => {
    crmTable(t);
    idColumn(t);
    refColumn(t, 'contact_id', false);
    refColumn(t, 'organization_id', true);
    refColumn(t, 'owner_user_id', true);
    refColumn(t, 'stage_id', false);
    t.string('name', 191).notNullable();
    t.decimal('amount', 14, 2).notNullable();
    t.date('expected_close_date').notNullable();
    datetime6(t, 'closed_at', true);
    createdAt(knex, t);
    updatedAt(knex, t, 'opportunities');
    index(t, 'opportunities', ['stage_id', 'owner_user_id']);
    index(t, 'opportunities', ['contact_id']);
    index(t, 'opportunities', ['organization_id']);
    index(t, 'opportunities', ['owner_user_id']);
    foreignKey(t, 'opportunities', 'contact_id', 'contacts', 'CASCADE');
    foreignKey(t, 'opportunities', 'organization_id', 'organizations', 'SET NULL');
    foreignKey(t, 'opportunities', 'owner_user_id', 'users', 'SET NULL');
    foreignKey(t, 'opportunities', 'stage_id', 'pipeline_stages', 'RESTRICT', 'CASCADE');
  });

  await knex.schema.createTable('opportunity_stage_history', (t) => {
    crmTable(t);
    idColumn(t);
    refColumn(t, 'opportunity_id', false);
    refColumn(t, 'from_stage_id', true);
    refColumn(t, 'to_stage_id', false);
    refColumn(t, 'changed_by_user_id', true);
    datetime6(t, 'changed_at');
    updatedAt(knex, t, 'opportunity_stage_history');
    index(t, 'opportunity_stage_history', ['opportunity_id', 'changed_at']);
    index(t, 'opportunity_stage_history', ['from_stage_id']);
    index(t, 'opportunity_stage_history', ['to_stage_id']);
    index(t, 'opportunity_stage_history', ['changed_by_user_id']);
    foreignKey(t, 'opportunity_stage_history', 'opportunity_id', 'opportunities', 'CASCADE');
    // ON UPDATE CASCADE like opportunities.stage_id, or renumbering a stage would be refused here.
    foreignKey(t, 'opportunity_stage_history', 'from_stage_id', 'pipeline_stages', 'RESTRICT', 'CASCADE');
    foreignKey(t, 'opportunity_stage_history', 'to_stage_id', 'pipeline_stages', 'RESTRICT', 'CASCADE');
    foreignKey(t, 'opportunity_stage_history', 'changed_by_user_id', 'users', 'SET NULL');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['opportunity_stage_history', 'opportunities', 'pipeline_stages', 'interactions']) {
    await knex.schema.dropTableIfExists(table);
  }
}
