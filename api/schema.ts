/** The CLI's `migrate` and `seed` actions load this (api/light.ts explains why). */
export { migrate, migrationStatus, seed } from '../schema/index.js';
