/** ER_NO_SUCH_TABLE: "Table 'schema.table' doesn't exist". */
const ER_NO_SUCH_TABLE = 1146;
/** ER_BAD_DB_ERROR: "Unknown database 'schema'". */
const ER_BAD_DB_ERROR = 1049;

/**
 * True when a statement failed because its table is not there. When the whole schema is missing,
 * MariaDB still says 1146 but MySQL says 1049 (unknown database): both mean "nothing there yet".
 */
export function isNoSuchTable(error: unknown): boolean {
  const errno = (error as { errno?: number } | null)?.errno;
  return errno === ER_NO_SUCH_TABLE || errno === ER_BAD_DB_ERROR;
}
