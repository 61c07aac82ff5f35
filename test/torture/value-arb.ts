/**
 * Values as SQL literals, per column type: mostly ordinary, often extreme (type limits, zero
 * dates, trailing spaces, case variants, non-BMP characters, float digits that text loses).
 */
import fc from 'fast-check';
import type { ColType } from './model.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A UTF-8 string as a hex literal with an introducer: exact, nothing to escape; the server converts it. */
export function strLit(s: string): string {
  return s.length === 0 ? "_utf8mb4''" : `_utf8mb4 X'${Buffer.from(s, 'utf8').toString('hex')}'`;
}

const CHARS = ['a', 'A', 'b', 'B', 'z', ' ', 'é', 'É', 'ß', 'Ж', 'ж', '日', 'ｱ', '€', '😀', '\t', '\n', '\\', "'", '"', '%', '_', '0', '\0', '¥'];

const textArb = (max: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.array(fc.constantFrom(...CHARS), { maxLength: Math.min(max, 12) }).map((a) => a.join('')) },
    { weight: 2, arbitrary: fc.constantFrom('a', 'A', 'a ', 'a  ', '', ' ', 'abc', 'ABC', 'Abc') },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: Math.min(max, 8) }) },
  ).map((s) => [...s].slice(0, max).join(''));

function intArb(t: ColType): fc.Arbitrary<string> {
  const bits = (t.intBytes ?? 4) * 8;
  const min = t.unsigned ? 0n : -(1n << BigInt(bits - 1));
  const max = t.unsigned ? (1n << BigInt(bits)) - 1n : (1n << BigInt(bits - 1)) - 1n;
  return fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: -20, max: 1000 }).map(String) },
    { weight: 2, arbitrary: fc.constantFrom(min, max, 0n, -1n, 1n, 13n).map(String) },
    { weight: 2, arbitrary: fc.bigInt({ min, max }).map(String) },
  );
}

function decimalArb(t: ColType): fc.Arbitrary<string> {
  const p = t.precision ?? 10;
  const s = t.scale ?? 0;
  const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
  return fc.record({ neg: fc.boolean(), i: digits(Math.max(0, p - s)), f: digits(s), small: fc.boolean() }).map(({ neg, i, f, small }) => {
    const ip = small ? i.replace(/^0+/, '').slice(-3) || '0' : i || '0';
    return `${neg ? '-' : ''}${ip}${s > 0 ? `.${f}` : ''}`;
  });
}

/** An approximate-number literal (`e` makes it a DOUBLE, not a DECIMAL literal). */
const approx = (x: number, digits: number) => {
  const s = Object.is(x, -0) ? '-0' : x.toPrecision(digits);
  return s.includes('e') ? s : `${s}e0`;
};

const floatArb = fc.oneof(
  { weight: 4, arbitrary: fc.float({ noNaN: true, noDefaultInfinity: true }).map((f) => approx(f, 9)) },
  { weight: 3, arbitrary: fc.constantFrom('1.2345678e0', '1.2345679e0', '3.4028234e38', '-3.4028234e38', '1.1754944e-38', '0.1e0', '16777217e0', '3.1415927e0', '1e-40') },
);

const doubleArb = fc.oneof(
  { weight: 4, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => approx(d, 17)) },
  { weight: 3, arbitrary: fc.constantFrom('1.7976931348623157e308', '-1.7976931348623157e308', '2.2250738585072014e-308', '0.30000000000000004e0', '0.1e0', '9007199254740993e0', '4.9e-324') },
);

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const frac = (fsp: number) => fc.integer({ min: 0, max: 10 ** fsp - 1 }).map((n) => (fsp ? `.${pad(n, fsp)}` : ''));

const dateArb = fc.oneof(
  { weight: 4, arbitrary: fc.record({ y: fc.integer({ min: 1000, max: 9999 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) }).map(({ y, m, d }) => `${y}-${pad(m)}-${pad(d)}`) },
  { weight: 2, arbitrary: fc.constantFrom('0000-00-00', '1000-01-01', '9999-12-31', '2024-02-29', '1970-01-01', '2024-00-00') },
);

function datetimeArb(fsp: number, timestamp: boolean): fc.Arbitrary<string> {
  const time = fc.record({ h: fc.integer({ min: 0, max: 23 }), mi: fc.integer({ min: 0, max: 59 }), s: fc.integer({ min: 0, max: 59 }) });
  const dates = timestamp
    ? fc.oneof(
        { weight: 4, arbitrary: fc.record({ y: fc.integer({ min: 1971, max: 2037 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) }).map(({ y, m, d }) => `${y}-${pad(m)}-${pad(d)}`) },
        { weight: 1, arbitrary: fc.constantFrom('2024-03-31', '2024-10-27', '2024-03-10', '2024-11-03') },
      )
    : dateArb;
  const zero = timestamp ? ['0000-00-00 00:00:00', '1970-01-01 00:00:01', '2038-01-19 03:14:07', '2024-10-27 02:30:00'] : ['0000-00-00 00:00:00', '1000-01-01 00:00:00', '9999-12-31 23:59:59'];
  return fc.oneof(
    { weight: 5, arbitrary: fc.record({ d: dates, t: time, f: frac(fsp) }).map(({ d, t, f }) => `${d} ${pad(t.h)}:${pad(t.mi)}:${pad(t.s)}${f}`) },
    { weight: 2, arbitrary: fc.constantFrom(...zero) },
  ).map((s) => `'${s}'`);
}

const timeArb = (fsp: number) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ neg: fc.boolean(), h: fc.integer({ min: 0, max: 838 }), mi: fc.integer({ min: 0, max: 59 }), s: fc.integer({ min: 0, max: 59 }), f: frac(fsp) }).map(({ neg, h, mi, s, f }) => `${neg ? '-' : ''}${h}:${pad(mi)}:${pad(s)}${f}`) },
    { weight: 1, arbitrary: fc.constantFrom('838:59:59', '-838:59:59', '00:00:00') },
  ).map((s) => `'${s}'`);

/**
 * MySQL's binary JSON values whose text reads back as the same value: unsigned and signed 64-bit
 * integers, doubles (`-0.0`, the largest), objects it normalizes (sorted keys, last duplicate wins).
 */
const BINARY_JSON = [
  "JSON_ARRAY(18446744073709551615, -9223372036854775808, 1.7976931348623157e308, -0.0e0, 2.0e0, _utf8mb4 X'78e282ac00')",
  "CAST(_utf8mb4'{\"b\": 1, \"a\": [1, 2.0, \"x\\u0000\"], \"a\": null}' AS JSON)",
  'CAST(-1.7976931348623157e308 AS JSON)',
];

/**
 * MySQL's binary JSON values whose types its text does not show: opaque DATE, DATETIME, TIME and
 * binary values, and DECIMAL (its text reads back as a DOUBLE). Whatever goes through text (a
 * cross-server sync, a backup and restore) turns a DATE into a string; the oracle sees it, as it
 * renders JSON_TYPE too (oracle.ts). Generated only with the `json-opaque` feature on: dualpipe
 * does not keep these types yet (see README.md).
 */
const OPAQUE_JSON = [
  "CAST(CAST('2024-02-29' AS DATE) AS JSON)",
  "CAST(CAST('2024-02-29 01:02:03.123456' AS DATETIME(6)) AS JSON)",
  "CAST(CAST('-838:59:59' AS TIME) AS JSON)",
  'CAST(CAST(1.50 AS DECIMAL(5,2)) AS JSON)',
  "JSON_ARRAY(CAST('2024-01-01' AS DATE), CAST(1.50 AS DECIMAL(5,2)), 18446744073709551615, -9223372036854775808, 1.7976931348623157e308, -0.0e0, X'00ff')",
  "JSON_OBJECT('b', 1, 'a', JSON_ARRAY(1, 2.0e0, _utf8mb4 X'78e282ac00'), 'k', CAST(X'ff0a' AS BINARY))",
];

const JSON_TEXTS = ['{}', '[]', 'null', '{"a": 1}', '[1, 2.5e300, "x", null, true]', '{"k": "é\\u0000 😀", "n": {"m": [1, {"x": -0.0}]}}', '"str"', '12345678901234567890', '{"a":1,"a":2}', '1e400'];

function geometryArb(point: boolean): fc.Arbitrary<string> {
  const coord = fc.oneof(fc.integer({ min: -1000, max: 1000 }).map(String), fc.constantFrom('0.1', '-123.456789012345', '1e300', '1e-300'));
  const pt = fc.tuple(coord, coord).map(([x, y]) => `${x} ${y}`);
  const wkt = point
    ? pt.map((p) => `POINT(${p})`)
    : fc.oneof(pt.map((p) => `POINT(${p})`), fc.array(pt, { minLength: 2, maxLength: 4 }).map((ps) => `LINESTRING(${ps.join(', ')})`), fc.constant('POLYGON((0 0, 1 0, 1 1, 0 0))'), fc.constant('GEOMETRYCOLLECTION EMPTY'));
  return wkt.map((w) => `ST_GeomFromText('${w}')`);
}

/** A literal for a value of this type (not NULL; the caller adds NULLs). */
export function typedValueArb(t: ColType): fc.Arbitrary<string> {
  switch (t.kind) {
    case 'int': return intArb(t);
    case 'decimal': return decimalArb(t);
    case 'float': return floatArb;
    case 'double': return doubleArb;
    case 'bit': {
      const bits = t.bits ?? 1;
      return fc.oneof(fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }), fc.constantFrom(0n, (1n << BigInt(bits)) - 1n)).map((v) => `b'${v.toString(2)}'`);
    }
    case 'date': return dateArb.map((s) => `'${s}'`);
    case 'datetime': return datetimeArb(t.fsp ?? 0, false);
    case 'timestamp': return datetimeArb(t.fsp ?? 0, true);
    case 'time': return timeArb(t.fsp ?? 0);
    case 'year': return fc.oneof(fc.integer({ min: 1901, max: 2155 }), fc.constantFrom(0, 1901, 2155, 2000)).map(String);
    case 'char': case 'varchar': case 'text': return textArb(Math.max(0, Math.min(t.length ?? 10, 40))).map(strLit);
    case 'binary': case 'varbinary': case 'blob':
      return fc.oneof(
        fc.uint8Array({ maxLength: Math.min(t.length ?? 8, 24) }),
        fc.constantFrom(new Uint8Array([0]), new Uint8Array([0x20]), new Uint8Array([0, 0]), new Uint8Array([0xff, 0x00, 0x0a, 0x09, 0x5c])),
      ).map((b) => (b.length ? `X'${hex(b)}'` : "''"));
    case 'enum': return fc.oneof(fc.constantFrom(...(t.members ?? [''])).map(strLit), fc.integer({ min: 0, max: (t.members?.length ?? 1) }).map(String));
    case 'set': return fc.subarray(t.members ?? []).map((m) => strLit(m.join(',')));
    case 'json': {
      const texts = fc.constantFrom(...JSON_TEXTS).map(strLit);
      if (!t.binaryJson) return texts;
      const typed = fc.constantFrom(...BINARY_JSON, ...(t.opaqueJson ? OPAQUE_JSON : []));
      return fc.oneof({ weight: 3, arbitrary: texts }, { weight: 2, arbitrary: typed });
    }
    case 'point': return geometryArb(true);
    case 'geometry': return geometryArb(false);
  }
}

export function valueArb(t: ColType & { nullable?: boolean }): fc.Arbitrary<string> {
  return t.nullable === false ? typedValueArb(t) : fc.oneof({ weight: 5, arbitrary: typedValueArb(t) }, { weight: 1, arbitrary: fc.constant('NULL') });
}
