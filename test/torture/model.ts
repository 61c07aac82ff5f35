/**
 * The torture test's own description of a generated schema and workload. Plain data (JSON-able),
 * so a fast-check counterexample prints as something a human can read and replay.
 */

/** The column families the generator knows; each has its own value generator and oracle rendering. */
export type ColKind =
  | 'int' | 'decimal' | 'float' | 'double' | 'bit'
  | 'date' | 'datetime' | 'timestamp' | 'time' | 'year'
  | 'char' | 'varchar' | 'text' | 'binary' | 'varbinary' | 'blob'
  | 'enum' | 'set' | 'json' | 'point' | 'geometry';

/** A column's type, without its name: enough to render DDL and to generate values that fit. */
export interface ColType {
  kind: ColKind;
  /** The type as written in DDL, without charset, NULL-ness or attributes (`DECIMAL(65,30)`). */
  sql: string;
  /** Integers: bytes (1, 2, 3, 4, 8) and signedness. */
  intBytes?: number;
  unsigned?: boolean;
  /** DECIMAL precision and scale; BIT width; fractional seconds; string/binary length. */
  precision?: number;
  scale?: number;
  bits?: number;
  fsp?: number;
  length?: number;
  /** Bytes a text/blob value may hold at most (for big rows). */
  maxBytes?: number;
  members?: string[];
  charset?: string;
  collation?: string;
  /** JSON stored as MySQL's binary JSON (values may be typed: `CAST(… AS JSON)`, opaque DATE/DECIMAL/…). */
  binaryJson?: boolean;
  /** Binary JSON values may hold opaque DATE/TIME/DATETIME/binary and DECIMAL values (feature `json-opaque`). */
  opaqueJson?: boolean;
}

export interface ColumnSpec extends ColType {
  name: string;
  nullable: boolean;
  autoIncrement?: boolean;
  invisible?: boolean;
  /** `(expr)` for a generated column, and how it is kept. */
  generated?: { expr: string; stored: boolean };
  /** A DEFAULT clause body (`CURRENT_TIMESTAMP(3)`, `(1+1)`), with an optional ON UPDATE. */
  defaultSql?: string;
  onUpdateSql?: string;
  check?: string;
}

export type FkAction = 'CASCADE' | 'SET NULL' | 'RESTRICT' | 'NO ACTION';

export interface FkSpec {
  name: string;
  cols: string[];
  refTable: string;
  refCols: string[];
  onDelete: FkAction;
  onUpdate: FkAction;
}

export type PkKind =
  | 'auto' | 'int' | 'string' | 'binary' | 'bit' | 'float' | 'timestamp' | 'decimal'
  | 'composite' | 'long' | 'none';

export interface TableSpec {
  name: string;
  pkKind: PkKind;
  columns: ColumnSpec[];
  /** Names of the primary key's columns (empty: no key at all). */
  pk: string[];
  fks: FkSpec[];
  checks: string[];
  charset: string;
  collation: string;
  partitioned: boolean;
  versioned: boolean;
  /**
   * Keyless, created with `sql_generate_invisible_primary_key = ON` (MySQL): the server adds
   * `my_row_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT INVISIBLE PRIMARY KEY`.
   */
  gipk?: boolean;
  /** Functional key parts, each `(expr)`, of one secondary index (MySQL). */
  functionalIndex?: string[];
}

export interface SchemaSpec {
  tables: TableSpec[];
  /** Views and user triggers: extra DDL run after the tables. */
  extras: string[];
}

/** Picks rows by a hash of some columns: `MOD(CRC32(...), m) = r` (m = 1: every row). */
export interface Selector {
  m: number;
  r: number;
}

export interface RowValues {
  cols: string[];
  /** SQL literals, one per column. */
  vals: string[];
}

export type Op =
  | { k: 'insert'; t: number; rows: RowValues[]; verb: 'INSERT' | 'REPLACE' | 'INSERT IGNORE' }
  | { k: 'upsert'; t: number; row: RowValues; set: RowValues }
  | { k: 'update'; t: number; sel: Selector; set: RowValues }
  | { k: 'updateKey'; t: number; sel: Selector; how: 'value' | 'upper' | 'lower' | 'shift' | 'swap'; val: string }
  | { k: 'delete'; t: number; sel: Selector }
  | { k: 'dup'; t: number; sel: Selector }
  | { k: 'reparent'; t: number; fk: number; sel: Selector; pick: number; deleteParent: boolean }
  | { k: 'multiUpdate'; t: number; fk: number; sel: Selector; set: RowValues; parentSet: RowValues }
  | { k: 'multiDelete'; t: number; fk: number; sel: Selector }
  | { k: 'truncate'; t: number }
  | { k: 'tx'; ops: Op[]; commit: boolean }
  | { k: 'tz'; zone: string }
  | { k: 'laxMode'; on: boolean }
  | { k: 'unchecked'; op: Op }
  | { k: 'big'; t: number; col: string; bytes: number; row: RowValues };

/** One generated test case: a schema, a first load, then batches each followed by an incremental sync. */
export interface TortureCase {
  schema: SchemaSpec;
  /** Rows per chunk for sync and verify (small values exercise chunk boundaries). */
  chunkRows: number;
  load: Op[];
  steps: Op[][];
  /** Picks which mirror value to change behind dualpipe's back at the end (verify must notice). */
  tamper: number;
}
