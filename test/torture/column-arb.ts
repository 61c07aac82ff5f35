/**
 * Column type arbitraries for MariaDB 10.11 and MySQL 8.4+/9.x InnoDB tables. Charsets and
 * collations come from the server's information_schema.COLLATIONS (read once), so every one
 * offered exists; server features (server-features.ts) decide the rest.
 */
import fc from 'fast-check';
import type { ColType } from './model.js';
import type { ServerFeatures } from './server-features.js';

/** The server's collations by charset: default first, then the rest. */
export type CollationEnv = Record<string, string[]>;

/**
 * What the generator may use: the server's collations, and features switched off (column kinds
 * such as `float`, `pk:bit`, `versioned`, `partitioned`, `hostile-names`, …) so that a long run can
 * look past a failure class it has already found.
 */
export interface GenEnv {
  collations: CollationEnv;
  disable: ReadonlySet<string>;
  /** Features off unless named here: `json-opaque` (typed values dualpipe does not keep yet). */
  enable: ReadonlySet<string>;
  /** What the target server accepts (probed once): the generator emits only that. */
  server: ServerFeatures;
}

/** Weighted choices without the disabled ones (the first stays when all are disabled). */
export function enabled<T>(env: GenEnv, choices: { label: string; weight: number; arbitrary: fc.Arbitrary<T> }[]): fc.Arbitrary<T> {
  const on = choices.filter((c) => !env.disable.has(c.label));
  return fc.oneof(...(on.length > 0 ? on : choices.slice(0, 1)));
}

/** Charsets worth testing, by how often real schemas use them. */
const CHARSET_WEIGHTS: [string, number][] = [
  ['utf8mb4', 12], ['latin1', 3], ['utf8mb3', 1], ['cp1251', 1], ['cp932', 1], ['sjis', 1], ['big5', 1],
  ['ucs2', 1], ['utf16', 1], ['utf32', 1], ['ascii', 1],
];

/** Bytes per character at most, for length limits. */
export const MAX_BYTES: Record<string, number> = { utf8mb4: 4, utf8mb3: 3, ucs2: 2, utf16: 4, utf32: 4, cp932: 2, sjis: 2, big5: 2 };

/** A charset and one of its collations: the default, `_bin`, a `_ci` one, or any. */
export function charsetArb(env: CollationEnv, disable: ReadonlySet<string> = new Set()): fc.Arbitrary<{ charset: string; collation: string }> {
  const offered = CHARSET_WEIGHTS.filter(([cs]) => (env[cs]?.length ?? 0) > 0 && (cs === 'utf8mb4' || !disable.has(`charset:${cs}`)));
  return fc
    .oneof(...offered.map(([cs, weight]) => ({ weight, arbitrary: fc.constant(cs) })))
    .chain((charset) => {
      const all = env[charset]!;
      const bin = all.filter((c) => c.endsWith('_bin'));
      const ci = all.filter((c) => c.endsWith('_ci'));
      return fc
        .oneof(
          { weight: 4, arbitrary: fc.constant(all[0]!) },
          { weight: 2, arbitrary: fc.constantFrom(...(bin.length ? bin : all)) },
          { weight: 2, arbitrary: fc.constantFrom(...(ci.length ? ci : all)) },
          { weight: 1, arbitrary: fc.constantFrom(...all) },
        )
        .map((collation) => ({ charset, collation }));
    });
}

const INTS: [string, number][] = [['TINYINT', 1], ['SMALLINT', 2], ['MEDIUMINT', 3], ['INT', 4], ['BIGINT', 8]];

export const intTypeArb: fc.Arbitrary<ColType> = fc
  .record({ i: fc.integer({ min: 0, max: 4 }), unsigned: fc.boolean() })
  .map(({ i, unsigned }) => {
    const [name, bytes] = INTS[i]!;
    return { kind: 'int', sql: `${name}${unsigned ? ' UNSIGNED' : ''}`, intBytes: bytes, unsigned };
  });

export const decimalTypeArb: fc.Arbitrary<ColType> = fc
  .oneof(fc.constant({ p: 65, s: 30 }), fc.integer({ min: 1, max: 65 }).chain((p) => fc.integer({ min: 0, max: Math.min(p, 30) }).map((s) => ({ p, s }))))
  .map(({ p, s }) => ({ kind: 'decimal', sql: `DECIMAL(${p},${s})`, precision: p, scale: s }));

const fspArb = fc.integer({ min: 0, max: 6 });
const fsp = (name: string, f: number) => (f === 0 ? name : `${name}(${f})`);

function stringTypeArb(env: CollationEnv, disable: ReadonlySet<string>): fc.Arbitrary<ColType> {
  return fc
    .record({
      cs: charsetArb(env, disable),
      form: fc.constantFrom('CHAR', 'VARCHAR', 'VARCHAR', 'TINYTEXT', 'TEXT', 'MEDIUMTEXT', 'LONGTEXT'),
      length: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 255 })),
    })
    .map(({ cs, form, length }) => {
      const per = MAX_BYTES[cs.charset] ?? 1;
      const maxBytes = ({ TINYTEXT: 255, TEXT: 65_535, MEDIUMTEXT: 16_777_215, LONGTEXT: 1 << 30 } as Record<string, number>)[form] ?? length * per;
      const kind = form === 'CHAR' ? 'char' : form === 'VARCHAR' ? 'varchar' : 'text';
      const sql = kind === 'text' ? form : `${form}(${length})`;
      return { kind, sql, length: kind === 'text' ? Math.floor(maxBytes / per) : length, maxBytes, ...cs };
    });
}

const binaryTypeArb: fc.Arbitrary<ColType> = fc
  .record({ form: fc.constantFrom('BINARY', 'VARBINARY', 'VARBINARY', 'TINYBLOB', 'BLOB', 'MEDIUMBLOB', 'LONGBLOB'), length: fc.integer({ min: 1, max: 64 }) })
  .map(({ form, length }) => {
    const maxBytes = ({ TINYBLOB: 255, BLOB: 65_535, MEDIUMBLOB: 16_777_215, LONGBLOB: 1 << 30 } as Record<string, number>)[form] ?? length;
    const kind = form === 'BINARY' ? 'binary' : form === 'VARBINARY' ? 'varbinary' : 'blob';
    return { kind, sql: kind === 'blob' ? form : `${form}(${length})`, length: maxBytes, maxBytes };
  });

const ENUM_POOL = ['', 'a', 'b', 'x y', 'é', "it's", 'a,b', ' lead', 'trail ', 'Ж', '0', '1'];
const SET_POOL = ['a', 'b', 'c', 'x y', 'é', 'Ж', '1', 'UP'];

const enumTypeArb: fc.Arbitrary<ColType> = fc
  .uniqueArray(fc.constantFrom(...ENUM_POOL), { minLength: 1, maxLength: 5 })
  .map((members) => ({ kind: 'enum', sql: `ENUM(${members.map(lit).join(',')})`, members, charset: 'utf8mb4', collation: 'utf8mb4_bin' }));

const setTypeArb: fc.Arbitrary<ColType> = fc
  .uniqueArray(fc.constantFrom(...SET_POOL), { minLength: 1, maxLength: 5 })
  .map((members) => ({ kind: 'set', sql: `SET(${members.map(lit).join(',')})`, members, charset: 'utf8mb4', collation: 'utf8mb4_bin' }));

/** A string literal in UTF-8 (members of ENUM/SET; values use hex literals instead). */
export function lit(s: string): string {
  return `'${s.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/** Any column type, weighted toward the common ones. */
export function colTypeArb(genv: GenEnv): fc.Arbitrary<ColType> {
  const env = genv.collations;
  const c = <T extends ColType>(t: T) => fc.constant(t);
  const label = (x: { weight: number; arbitrary: fc.Arbitrary<ColType> }, l: string) => ({ ...x, label: l });
  const labels = ['int', 'decimal', 'float', 'double', 'bit', 'date', 'datetime', 'timestamp', 'time', 'year', 'string', 'binary', 'enum', 'set', 'json', 'point', 'geometry'];
  const list = [
    { weight: 8, arbitrary: intTypeArb },
    { weight: 3, arbitrary: decimalTypeArb },
    { weight: 2, arbitrary: c({ kind: 'float', sql: 'FLOAT' }) },
    { weight: 2, arbitrary: c({ kind: 'double', sql: 'DOUBLE' }) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: 64 }).map((bits): ColType => ({ kind: 'bit', sql: `BIT(${bits})`, bits })) },
    { weight: 2, arbitrary: c({ kind: 'date', sql: 'DATE' }) },
    { weight: 3, arbitrary: fspArb.map((f): ColType => ({ kind: 'datetime', sql: fsp('DATETIME', f), fsp: f })) },
    { weight: 3, arbitrary: fspArb.map((f): ColType => ({ kind: 'timestamp', sql: fsp('TIMESTAMP', f), fsp: f })) },
    { weight: 1, arbitrary: fspArb.map((f): ColType => ({ kind: 'time', sql: fsp('TIME', f), fsp: f })) },
    { weight: 1, arbitrary: c({ kind: 'year', sql: 'YEAR' }) },
    { weight: 10, arbitrary: stringTypeArb(env, genv.disable) },
    { weight: 3, arbitrary: binaryTypeArb },
    { weight: 2, arbitrary: enumTypeArb },
    { weight: 1, arbitrary: setTypeArb },
    // MySQL's JSON is a binary type of its own (with opaque DATE, DECIMAL… values); MariaDB's a LONGTEXT.
    { weight: 2, arbitrary: c({ kind: 'json', sql: 'JSON', binaryJson: genv.server.binaryJson, opaqueJson: genv.server.binaryJson && genv.enable.has('json-opaque') }) },
    { weight: 1, arbitrary: c({ kind: 'point', sql: 'POINT' }) },
    { weight: 1, arbitrary: c({ kind: 'geometry', sql: 'GEOMETRY' }) },
  ];
  return enabled(genv, list.map((x, i) => label(x, labels[i]!)));
}

/** Key column types by primary-key kind (no TEXT/BLOB: they need prefix keys). */
export function keyTypeArb(kind: string, env: CollationEnv, disable: ReadonlySet<string> = new Set()): fc.Arbitrary<ColType> {
  switch (kind) {
    case 'string':
      return fc.record({ cs: charsetArb(env, disable), length: fc.integer({ min: 1, max: 40 }) }).map(({ cs, length }) => ({
        kind: 'varchar', sql: `VARCHAR(${length})`, length, maxBytes: length * (MAX_BYTES[cs.charset] ?? 1), ...cs,
      }));
    case 'long':
      // Two of these stay within InnoDB's 3072-byte key limit; each alone is over MyISAM's 1000.
      return fc.constantFrom(260, 300, 380).map((length) => ({
        kind: 'varchar', sql: `VARCHAR(${length})`, length, maxBytes: length * 4, charset: 'utf8mb4', collation: 'utf8mb4_unicode_ci',
      }));
    case 'binary':
      return fc.oneof(
        fc.integer({ min: 1, max: 16 }).map((n): ColType => ({ kind: 'binary', sql: `BINARY(${n})`, length: n, maxBytes: n })),
        fc.integer({ min: 1, max: 32 }).map((n): ColType => ({ kind: 'varbinary', sql: `VARBINARY(${n})`, length: n, maxBytes: n })),
      );
    case 'bit':
      return fc.integer({ min: 1, max: 64 }).map((bits) => ({ kind: 'bit', sql: `BIT(${bits})`, bits }));
    case 'float':
      return fc.constantFrom<ColType>({ kind: 'float', sql: 'FLOAT' }, { kind: 'double', sql: 'DOUBLE' });
    case 'timestamp':
      return fc.oneof(
        fspArb.map((f): ColType => ({ kind: 'timestamp', sql: fsp('TIMESTAMP', f), fsp: f })),
        fspArb.map((f): ColType => ({ kind: 'datetime', sql: fsp('DATETIME', f), fsp: f })),
      );
    case 'decimal':
      return decimalTypeArb;
    case 'composite':
      return fc.oneof(intTypeArb, keyTypeArb('string', env, disable), keyTypeArb('binary', env), fc.constant<ColType>({ kind: 'date', sql: 'DATE' }), enumTypeArb);
    default:
      return intTypeArb;
  }
}
