import { qualify, quoteId } from '../../src/db/quote.js';

/**
 * The LOAD DATA statement that reads a chunk written by `row-codec.ts`. Hex columns go through a
 * user variable and UNHEX(), so their bytes never pass a character set conversion; ENUMs and SETs
 * written as their number (`encoding: 'index'`) go through `CAST(@v AS UNSIGNED)`, so a number
 * always means an index or a bit set (a member may be named '2'), exact to 64 bits (`@v + 0` is a
 * DOUBLE: a SET's members past the 53rd lost their bits). Backups that marked such a column hex too
 * (an ENUM in a character set read as bytes) hold the hex of its digits: UNHEX first.
 *
 * MariaDB fact (10.11): when a LOAD DATA has a SET clause, a column read straight from the file
 * loses NO_AUTO_VALUE_ON_ZERO: an AUTO_INCREMENT key of 0 is given a new id, and the row already
 * holding that id is then skipped as a duplicate. A column assigned from a variable keeps its 0. So
 * once one column needs a variable, every column takes one (`SET k = @v0`).
 */
export function loadDataSql(
  schema: string,
  table: string,
  columns: readonly { name: string; hex: boolean; encoding?: string | undefined }[],
): string {
  const anyVar = columns.some((c) => c.hex || c.encoding === 'index');
  const targets = columns.map((c, i) => (anyVar ? `@v${i}` : quoteId(c.name)));
  const sets = anyVar
    ? columns.map((c, i) => {
        const v = c.hex ? `UNHEX(@v${i})` : `@v${i}`;
        return `${quoteId(c.name)} = ${c.encoding === 'index' ? `CAST(${v} AS UNSIGNED)` : v}`;
      })
    : [];
  return (
    `LOAD DATA LOCAL INFILE 'chunk' INTO TABLE ${qualify(schema, table)} CHARACTER SET utf8mb4 ` +
    "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' " +
    `(${targets.join(', ')})${sets.length ? ` SET ${sets.join(', ')}` : ''}`
  );
}

/**
 * The ENUM columns loaded by index: their index 0 (the error value the source holds) warns 1265
 * "Data truncated" on the way in and is stored exactly (load-warnings.ts). A SET loaded by number
 * never warns so: there the warning is a real loss.
 */
export function enumIndexColumns(columns: readonly { name: string; dataType: string; encoding?: string | undefined }[]): string[] {
  return columns.filter((c) => c.encoding === 'index' && c.dataType === 'enum').map((c) => c.name);
}
