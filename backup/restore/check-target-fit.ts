/**
 * The restore planner's refusals (plan-restore.ts): a backup must fit the target schema before
 * anything is written. Each names the table and the misfit, with a hint; pure.
 */
import { UsageError } from '../../src/errors.js';
import { MIGRATIONS_TABLE_NAME } from '../../src/catalog/discover-tables.js';
import type { Manifest, ManifestTable } from '../format/manifest.js';

/** What the target schema holds now (inspect-target.ts reads it), which the backup must fit. */
export interface TargetState {
  exists: boolean;
  /** Objects named like a manifest table: base table or view, non-generated columns, triggers. */
  tables: Record<string, { type: string; columns: string[]; triggers: string[] }>;
  /** Applied migrations when the target has a `dualpipe_migrations` table, else null. */
  migrations: string[] | null;
  /** Foreign keys of tables not being restored (any schema) that reference a table being restored. */
  incomingForeignKeys: { from: string; name: string; to: string }[];
  /** Every base table of the target now (for `--tables`: parents that stay live). */
  liveTables?: string[];
}

/** `--tables`: checks the names and returns the mirrors chosen; the others are skipped. */
export function chooseTables(all: readonly ManifestTable[], only: readonly string[], file: string): ManifestTable[] {
  const names = new Set(all.map((t) => t.name));
  const unknown = only.filter((n) => !names.has(n));
  if (unknown.length)
    throw new UsageError(`--tables: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in the backup ${file}`, {
      hint: `its tables: ${[...names].join(', ')}`,
    });
  return all.filter((t) => only.includes(t.name));
}

const listText = (xs: readonly string[]) => (xs.length ? xs.join(', ') : '(none)');

/** The target's applied migrations (when it records them) must be the backup's. */
export function checkSchemaVersion(m: Manifest, target: string, applied: string[] | null): void {
  if (applied === null) return;
  if (applied.length === m.migrations.length && applied.every((n, i) => n === m.migrations[i])) return;
  const onlyTarget = applied.filter((n) => !m.migrations.includes(n));
  const onlyBackup = m.migrations.filter((n) => !applied.includes(n));
  throw new UsageError(
    `backup of another schema version: ${target}.${MIGRATIONS_TABLE_NAME} lists ${applied.length} applied migration(s), ` +
      `the backup ${m.migrations.length} (only in ${target}: ${listText(onlyTarget)}; only in the backup: ${listText(onlyBackup)})`,
    { hint: 'restore --into a new schema, or bring the target to the backup\'s schema version first' },
  );
}

/** A live table the restore replaces must be a base table with the backup's columns and no foreign triggers; true when there is one. */
export function checkTargetTable(t: ManifestTable, target: string, state: TargetState): boolean {
  const live = state.tables[t.name];
  if (!live) return false;
  const hint = 'restore --into a new schema, or drop or rename that table first';
  if (live.type !== 'BASE TABLE')
    throw new UsageError(`${target}.${t.name} is a ${live.type.toLowerCase()}, not a table: a restore cannot replace it`, { hint });
  const want = t.columns.map((c) => c.name);
  if (live.columns.length !== want.length || live.columns.some((c, i) => c !== want[i]))
    throw new UsageError(
      `table ${t.name}: the backup's columns (${want.join(', ')}) do not fit ${target}.${t.name} (${live.columns.join(', ')})`,
      { hint: 'the backup is of another schema version: restore --into a new schema' },
    );
  // dualpipe's own change-capture triggers are dropped before the swap and installed again after it.
  const foreign = live.triggers.filter((name) => !name.startsWith('__dp_'));
  if (foreign.length)
    throw new UsageError(
      `${target}.${t.name} has trigger(s) ${foreign.join(', ')}: a table with triggers cannot move to the previous schema`,
      { hint },
    );
  return true;
}

/** Foreign keys from outside the restore that reference a table it replaces: a swap would leave them pointing at the previous schema. */
export function checkIncomingForeignKeys(state: TargetState, target: string, partial: boolean): void {
  const own = state.incomingForeignKeys.filter((fk) => partial && fk.from.startsWith(`${target}.`));
  if (own.length) {
    const children = [...new Set(own.map((fk) => fk.from.slice(target.length + 1)))];
    const parents = [...new Set(own.map((fk) => fk.to))];
    throw new UsageError(
      `--tables: ${parents.join(', ')} ${parents.length === 1 ? 'is' : 'are'} referenced by ${children.join(', ')}, which ${children.length === 1 ? 'is' : 'are'} not restored: their rows would point at the replaced tables`,
      { hint: `add ${children.join(', ')} to --tables, or bring rows back with --mode merge` },
    );
  }
  for (const fk of state.incomingForeignKeys)
    throw new UsageError(
      `${fk.from} has foreign key ${fk.name} referencing ${target}.${fk.to}: swapping ${fk.to} would leave it pointing at the previous schema`,
      { hint: 'drop that foreign key first, or restore --into a new schema' },
    );
}
