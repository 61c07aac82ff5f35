import { UsageError } from '../errors.js';

/** Quotes a MySQL identifier with backticks, doubling any backtick inside it. */
export function quoteId(name: string): string {
  if (name.length === 0) throw new UsageError('empty identifier');
  if (name.includes('\0')) throw new UsageError('identifier contains a NUL byte');
  return '`' + name.replaceAll('`', '``') + '`';
}

/** Quotes `schema`.`table`. */
export function qualify(schema: string, table: string): string {
  return `${quoteId(schema)}.${quoteId(table)}`;
}

/** Quotes a string literal for the rare places where a placeholder cannot be used (DDL comments). */
export function quoteString(value: string): string {
  return "'" + value.replaceAll('\\', '\\\\').replaceAll("'", "''").replaceAll('\0', '\\0') + "'";
}

const PLAIN_NAME = /^[A-Za-z0-9_$]{1,64}$/;

/**
 * Validates a schema or table name we create ourselves (report schema, temp tables):
 * letters, digits, `_` and `$`, at most 64 characters (MySQL's identifier limit).
 */
export function assertPlainName(name: string, what: string): string {
  if (!PLAIN_NAME.test(name)) {
    throw new UsageError(`invalid ${what} "${name}": use letters, digits, _ or $ (at most 64)`);
  }
  return name;
}
