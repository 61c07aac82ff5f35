/**
 * The CRM migrations, listed statically: compiled output needs no directory globbing, and the
 * order is the array order. Add a migration by importing it and appending it here.
 */
import type { Knex } from 'knex';
import * as m0001 from './migrations/0001_people_and_orgs.js';
import * as m0002 from './migrations/0002_commerce.js';
import * as m0003 from './migrations/0003_interactions_and_pipeline.js';
import * as m0004 from './migrations/0004_automation.js';

/** One migration: a stable name (stored in `dualpipe_migrations`) and its module. */
export interface CrmMigration {
  name: string;
  module: Knex.Migration;
}

/** All migrations in the order they apply. Names must never change once released. */
export const crmMigrations: readonly CrmMigration[] = [
  { name: '0001_people_and_orgs', module: m0001 },
  { name: '0002_commerce', module: m0002 },
  { name: '0003_interactions_and_pipeline', module: m0003 },
  { name: '0004_automation', module: m0004 },
];

/** A knex `MigrationSource` over `crmMigrations`. */
export const crmMigrationSource: Knex.MigrationSource<CrmMigration> = {
  getMigrations() {
    return Promise.resolve([...crmMigrations]);
  },
  getMigrationName(migration) {
    return migration.name;
  },
  getMigration(migration) {
    return Promise.resolve(migration.module);
  },
};
