import { qualify, quoteId } from '../../src/db/quote.js';

/**
 * The LOAD DATA statement that reads a chunk written by `row-codec.ts`. Hex columns go through a
 * user variable and UNHEX(), so their bytes never pass a character set conversion; ENUMs written
 * as their index go through `@v + 0`, so a number always means an index (a member may be named '2').
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
    ? columns.map((c, i) => `${quoteId(c.name)} = ${c.hex ? `UNHEX(@v${i})` : c.encoding === 'index' ? `@v${i} + 0` : `@v${i}`}`)
    : [];
  return (
    `LOAD DATA LOCAL INFILE 'chunk' INTO TABLE ${qualify(schema, table)} CHARACTER SET utf8mb4 ` +
    "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' " +
    `(${targets.join(', ')})${sets.length ? ` SET ${sets.join(', ')}` : ''}`
  );
}
