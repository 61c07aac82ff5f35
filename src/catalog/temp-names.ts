import { createHash } from 'node:crypto';

/**
 * Prefixes of the tables a run builds (`new`) and the ones it swaps out (`old`); `shadow` is the
 * second copy of every mirror and report that incremental syncs update and swap (shadow-set.ts).
 */
export const TEMP_PREFIX = { new: '__dp_new_', old: '__dp_old_', shadow: '__dp_shadow_' } as const;

/** Any temporary table of any run, for clean-up of crashed runs. */
export const TEMP_NAME_PATTERN = /^__dp_(new|old)_/;

/**
 * The temporary name for `table`; stays within MySQL's 64-character identifier limit by
 * shortening long names with a hash suffix.
 */
export function tempName(kind: keyof typeof TEMP_PREFIX, table: string): string {
  const name = TEMP_PREFIX[kind] + table;
  if (name.length <= 64) return name;
  const hash = createHash('sha256').update(table).digest('hex').slice(0, 8);
  return `${TEMP_PREFIX[kind]}${table.slice(0, 64 - TEMP_PREFIX[kind].length - 9)}_${hash}`;
}
