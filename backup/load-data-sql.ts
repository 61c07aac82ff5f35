import { qualify, quoteId } from '../src/db/quote.js';

/**
 * The LOAD DATA statement that reads a chunk written by `row-codec.ts`. Hex columns go through a
 * user variable and UNHEX(), so their bytes never pass a character set conversion.
 */
export function loadDataSql(schema: string, table: string, columns: readonly { name: string; hex: boolean }[]): string {
  const targets = columns.map((c, i) => (c.hex ? `@v${i}` : quoteId(c.name)));
  const sets = columns.flatMap((c, i) => (c.hex ? [`${quoteId(c.name)} = UNHEX(@v${i})`] : []));
  return (
    `LOAD DATA LOCAL INFILE 'chunk' INTO TABLE ${qualify(schema, table)} CHARACTER SET utf8mb4 ` +
    "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' " +
    `(${targets.join(', ')})${sets.length ? ` SET ${sets.join(', ')}` : ''}`
  );
}
