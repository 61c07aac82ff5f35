/**
 * Which warnings of a restore's LOAD DATA leave the loaded rows as the backup holds them. Any other
 * warning fails the chunk: LOAD DATA turns bad values into warnings and altered rows. Pure.
 */

/** One row of SHOW WARNINGS. */
export interface LoadWarning {
  Code: number;
  Message: string;
}

/**
 * True when every listed warning is one of:
 * - 1265 ("Data truncated") for one of `enumColumns`: an ENUM loaded by index, where index 0 (the
 *   empty error value the source holds) warns but stores exactly that value;
 * - 3752 ("Value is out of range for functional index", MySQL): a functional key part over a value
 *   the source stored with INSERT IGNORE, such as YEAR() of a zero date. The row itself is stored
 *   as it is, and the index entry gets what the server made of it on the source too (torture
 *   seed 9711; before, such a backup could not be restored).
 * The server lists at most max_error_count warnings; the content checksum checked after the load
 * covers the rest, and every value.
 */
export function harmlessLoadWarnings(warnings: readonly LoadWarning[], count: number, enumColumns: readonly string[] | undefined): boolean {
  if (warnings.length === 0 || warnings.length > count) return false;
  return warnings.every(
    (w) =>
      Number(w.Code) === 3752 ||
      (Number(w.Code) === 1265 && (enumColumns ?? []).some((c) => w.Message.startsWith(`Data truncated for column '${c}'`))),
  );
}
