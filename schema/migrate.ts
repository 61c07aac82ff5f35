/**
 * `dualpipe migrate`: applies the CRM migrations with knex. This file and `migration-source.ts`
 * are the only ones that touch knex; everything else talks through `SqlConnection`.
 */
import type { Knex } from 'knex';
import type { ConnectionTarget } from '../src/db/connection.js';
import { describeTarget } from '../src/db/describe-target.js';
import { createConnector, tlsConnectionOptions } from '../src/db/mysql-driver.js';
import { quoteId } from '../src/db/quote.js';
import { StepError } from '../src/errors.js';
import { type Logger, silentLogger } from '../src/log/logger.js';
import { crmMigrationSource, crmMigrations } from './migration-source.js';

/** The table where knex records applied migrations (knex adds `<name>_lock` beside it). */
export const MIGRATIONS_TABLE = 'dualpipe_migrations';

/** A target that names the schema to migrate. */
export type SchemaTarget = ConnectionTarget & { database: string };

/** What `migrate` applied. */
export interface MigrateResult {
  /** Migrations applied by this run, in order. */
  applied: string[];
  /** Migrations that were already applied before this run. */
  alreadyApplied: string[];
}

/** One migration and whether (and when) it was applied. */
export interface MigrationState {
  name: string;
  applied: boolean;
  /** When it was applied, as the server printed it (`YYYY-MM-DD HH:MM:SS`). */
  appliedAt?: string;
}

function knexConfig(target: SchemaTarget, logger: Logger): Knex.Config {
  // The same TLS options as every other session (knex types them more narrowly than mysql2 does).
  const tls = tlsConnectionOptions(target) as Record<string, unknown>;
  return {
    client: 'mysql2',
    connection: {
      ...(target.socketPath ? { socketPath: target.socketPath } : { host: target.host, port: target.port }),
      user: target.user,
      ...(target.password !== undefined ? { password: target.password } : {}),
      database: target.database,
      // knex also uses this as the default character set of the tables it creates itself.
      charset: 'utf8mb4',
      dateStrings: true,
      ...tls,
    },
    pool: { min: 0, max: 1 },
    log: {
      debug: (message: unknown) => logger.debug({ knex: message }, 'knex'),
      warn: (message: unknown) => logger.warn({ knex: message }, 'knex'),
      error: (message: unknown) => logger.error({ knex: message }, 'knex'),
      deprecate: (method: string, alternative: string) =>
        logger.warn({ method, alternative }, 'knex: deprecated'),
    },
    migrations: {
      tableName: MIGRATIONS_TABLE,
      migrationSource: crmMigrationSource,
      // MySQL DDL commits implicitly: a transaction would promise a rollback it cannot give.
      disableTransactions: true,
    },
  };
}

async function createSchemaIfMissing(target: SchemaTarget): Promise<void> {
  const conn = await createConnector(target).connect({ database: null });
  try {
    await conn.execute(
      `CREATE DATABASE IF NOT EXISTS ${quoteId(target.database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await conn.close();
  }
}

/**
 * Creates the schema if missing and applies every pending migration. Idempotent: a second run
 * applies nothing. Throws a `StepError` naming the schema when a migration fails.
 */
export async function migrate(
  target: SchemaTarget,
  options: { logger?: Logger } = {},
): Promise<MigrateResult> {
  const logger = options.logger ?? silentLogger;
  logger.info({ target: describeTarget(target) }, 'migrate: start');
  await createSchemaIfMissing(target);
  // Loaded here, not at the top: knex costs about 0.2 s to import, which every other command
  // (backup, sync, status) paid at start-up through api/index.ts.
  const { default: knex } = await import('knex');
  const db = knex(knexConfig(target, logger));
  try {
    const [, log] = (await db.migrate.latest()) as [number, string[]];
    const applied = [...log];
    const alreadyApplied = crmMigrations.map((m) => m.name).filter((name) => !applied.includes(name));
    for (const name of applied) logger.info({ migration: name }, 'migrate: applied');
    logger.info({ applied: applied.length, alreadyApplied: alreadyApplied.length }, 'migrate: done');
    return { applied, alreadyApplied };
  } catch (error) {
    throw new StepError('migrate', target.database, {
      cause: error,
      hint: 'a migration that failed halfway leaves its first tables behind (MySQL cannot roll back DDL): drop the schema and migrate again',
    });
  } finally {
    await db.destroy();
  }
}

/** Lists every known migration and whether (and when) it was applied to the schema. */
export async function migrationStatus(target: SchemaTarget): Promise<MigrationState[]> {
  const conn = await createConnector(target).connect({ database: null });
  try {
    const exists = await conn.query(
      'SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
      [target.database, MIGRATIONS_TABLE],
    );
    const done = new Map<string, string>();
    if (exists.length > 0) {
      const rows = await conn.query<{ name: string; migration_time: string | null }>(
        `SELECT name, migration_time FROM ${quoteId(target.database)}.${quoteId(MIGRATIONS_TABLE)} ORDER BY id`,
      );
      for (const row of rows) done.set(row.name, row.migration_time ?? '');
    }
    return crmMigrations.map(({ name }) => {
      const appliedAt = done.get(name);
      return appliedAt === undefined ? { name, applied: false } : { name, applied: true, appliedAt };
    });
  } finally {
    await conn.close();
  }
}
