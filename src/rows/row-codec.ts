/**
 * The row format of backup chunks: one line per row, tab-separated, in the escaping that
 * `LOAD DATA … FIELDS TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED BY '\n'` reads back:
 * NULL is `\N`; backslash, tab, newline, carriage return and NUL are escaped. Binary columns
 * (BLOB, BINARY, BIT, GEOMETRY) are written as hex and loaded with `UNHEX()`, so bytes never go
 * through a character set. Text is UTF-8. Pure: the property tests round-trip it.
 */

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };
const NEEDS_ESCAPE = /[\\\t\n\r\0]/g;

/** Encodes one field. `hex` columns get hexadecimal digits. */
export function encodeField(value: unknown, hex: boolean): string {
  if (value === null || value === undefined) return '\\N';
  if (Buffer.isBuffer(value)) return hex ? value.toString('hex').toUpperCase() : escapeText(value.toString('utf8'));
  // The driver gives text, Buffers and numbers, never other objects (dateStrings: dates are text).
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a number or bigint here, as said above
  const text = typeof value === 'string' ? value : String(value);
  return hex ? Buffer.from(text, 'utf8').toString('hex').toUpperCase() : escapeText(text);
}

/** Escapes backslash, tab, newline, carriage return and NUL for a chunk line. */
export function escapeText(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(NEEDS_ESCAPE, (c) => ESCAPES[c]!) : text;
}

/** Encodes one row as a line (with its newline). */
export function encodeRow(row: readonly unknown[], hex: readonly boolean[]): string {
  let line = '';
  for (let i = 0; i < row.length; i++) {
    if (i > 0) line += '\t';
    line += encodeField(row[i], hex[i] === true);
  }
  return `${line}\n`;
}

const UNESCAPES: Record<string, string> = { '\\': '\\', t: '\t', n: '\n', r: '\r', '0': '\0', b: '\b', Z: '\x1a' };

/** Decodes one line (without its newline) into fields: strings, Buffers for hex columns, null. */
export function decodeRow(line: string, hex: readonly boolean[]): (string | Buffer | null)[] {
  const fields = line.split('\t');
  return fields.map((f, i) => {
    if (f === '\\N') return null;
    if (hex[i]) return Buffer.from(f, 'hex');
    return f.replace(/\\(.)/g, (_m, c: string) => UNESCAPES[c] ?? c);
  });
}

/** Data types whose values travel as hex. */
export const HEX_TYPES = new Set([
  'binary',
  'varbinary',
  'tinyblob',
  'blob',
  'mediumblob',
  'longblob',
  'bit',
  'geometry',
  'point',
  'linestring',
  'polygon',
  'multipoint',
  'multilinestring',
  'multipolygon',
  'geometrycollection',
  'geomcollection',
]);

/**
 * True for the data types that travel as hex (HEX_TYPES): binary strings, BIT and the spatial
 * types.
 */
export function isHexType(dataType: string): boolean {
  return HEX_TYPES.has(dataType.toLowerCase());
}
