/** Marketing automation: triggers and their runs per contact. */
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
  await knex.schema.createTable('automation_triggers', (t) => {
    crmTable(t);
    idColumn(t);
    t.string('name', 191).notNullable();
    t.enu('event', ['signup', 'purchase', 'inactivity', 'birthday', 'stage_change']).notNullable();
    t.json('conditions').nullable();
    t.enu('action', ['send_email', 'assign_owner', 'create_task', 'add_tag', 'webhook']).notNullable();
    t.boolean('is_enabled').notNullable().defaultTo(true);
    refColumn(t, 'created_by_user_id', true);
    createdAt(knex, t);
    updatedAt(knex, t, 'automation_triggers');
    index(t, 'automation_triggers', ['created_by_user_id']);
    foreignKey(t, 'automation_triggers', 'created_by_user_id', 'users', 'SET NULL');
  });

  await knex.schema.createTable('automation_runs', (t) => {
    crmTable(t);
    idColumn(t);
    refColumn(t, 'trigger_id', false);
    refColumn(t, 'contact_id', false);
    t.enu('status', ['queued', 'running', 'succeeded', 'failed']).notNullable().defaultTo('queued');
    datetime6(t, 'started_at');
    datetime6(t, 'finished_at', true);
    t.string('error_message', 500).nullable();
    createdAt(knex, t);
    updatedAt(knex, t, 'automation_runs');
    index(t, 'automation_runs', ['contact_id']);
    index(t, 'automation_runs', ['trigger_id', 'started_at']);
    foreignKey(t, 'automation_runs', 'trigger_id', 'automation_triggers', 'CASCADE');
    foreignKey(t, 'automation_runs', 'contact_id', 'contacts', 'CASCADE');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['automation_runs', 'automation_triggers']) {
    await knex.schema.dropTableIfExists(table);
  }
}
