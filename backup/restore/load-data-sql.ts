import { qualify, quoteId } from '../../src/db/quote.js';

/**
 * The LOAD DATA statement that reads a chunk written by `row-codec.ts`. Hex columns go through a
 * user variable and UNHEX(), so their bytes never pass a character set conversion; ENUMs written
 * as their index go through `@v + 0`, so a number always means an index (a member may be named '2').
 */
export function loadDataSql(
  schema: string,
  table: string,
  columns: readonly { name: string; hex: boolean; encoding?: string | undefined }[],
): string {
  const viaVar = (c: { hex: boolean; encoding?: string | undefined }) => c.hex || c.encoding === 'index';
  const targets = columns.map((c, i) => (viaVar(c) ? `@v${i}` : quoteId(c.name)));
  const sets = columns.flatMap((c, i) =>
    c.hex ? [`${quoteId(c.name)} = UNHEX(@v${i})`] : c.encoding === 'index' ? [`${quoteId(c.name)} = @v${i} + 0`] : [],
  );
  return (
    `LOAD DATA LOCAL INFILE 'chunk' INTO TABLE ${qualify(schema, table)} CHARACTER SET utf8mb4 ` +
    "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' " +
    `(${targets.join(', ')})${sets.length ? ` SET ${sets.join(', ')}` : ''}`
  );
}
