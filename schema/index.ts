/** The CRM schema: migrations, and the deterministic sample-data seeder. */

export {
  MIGRATIONS_TABLE,
  type MigrateResult,
  type MigrationState,
  migrate,
  migrationStatus,
  type SchemaTarget,
} from './migrate.js';
export { type CrmMigration, crmMigrationSource, crmMigrations } from './migration-source.js';
export { countsFor, SCALE_ONE, type SeedCounts } from './seed/plan.js';
export {
  normalizeSeedOptions,
  type SeedOptions,
  type SeedProgress,
  type SeedResult,
  seed,
} from './seed/seed.js';
export { CRM_TABLES, SEED_TABLES } from './seed/tables.js';
