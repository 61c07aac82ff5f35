/** What the sync knows about one source table, read from information_schema. */
export interface ColumnMeta {
  name: string;
  /** information_schema DATA_TYPE, lower case (int, varchar, json, …). */
  dataType: string;
  /** Full COLUMN_TYPE, e.g. `bigint(20) unsigned`. */
  columnType: string;
  nullable: boolean;
  /** Virtual or stored generated column: never written, recomputed by the server. */
  generated: boolean;
  /** CHARACTER_SET_NAME for character columns, null otherwise. */
  charset?: string | null;
}

/** A source table as the sync sees it: its columns in order, its primary key and size estimates. */
export interface TableMeta {
  name: string;
  engine: string;
  columns: ColumnMeta[];
  /** Primary key columns in key order; empty when the table has none. */
  primaryKey: string[];
  /** Estimated rows from information_schema (InnoDB's estimate, may be off). */
  estimatedRows: number;
  /** DATA_LENGTH from information_schema: used to start the largest copies first. */
  dataBytes: number;
}

const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint']);

/**
 * True for TINYINT to BIGINT: a leading integer key column lets a table be chunked by ranges
 * (`int-range`), and a logged key value of that type is written back as a plain number.
 */
export function isIntegerType(dataType: string): boolean {
  return INTEGER_TYPES.has(dataType.toLowerCase());
}

/** Columns that are written (generated columns are recomputed by the server). */
export function writableColumns(table: Pick<TableMeta, 'columns'>): ColumnMeta[] {
  return table.columns.filter((c) => !c.generated);
}

/** How a table is split into chunks for checksums and repairs. */
export type ChunkScheme =
  /** Leading primary key column is an integer: chunk = col divided by width, floored (integer division). Range scans. */
  | { kind: 'int-range'; column: string; width: number }
  /** Other primary keys: chunk = CRC32 of the key modulo `buckets`. */
  | { kind: 'hash'; columns: string[]; buckets: number }
  /** No primary key: the whole table is one chunk and can only be fully rebuilt. */
  | { kind: 'whole' };
