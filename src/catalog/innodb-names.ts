/**
 * Names as InnoDB stores them (INNODB_TABLES.NAME, `schema/table`), matched to the names
 * information_schema gives, without the server's help. MariaDB can encode a name itself
 * (`CONVERT(… USING filename)`); MySQL 8+ has no `filename` character set in SQL, so on MySQL the
 * encoding is reproduced here, exactly for ASCII and as far as it can be known for other letters.
 *
 * The encoding (the same on both servers): `[0-9A-Za-z_]` stay as they are; every other character
 * is `@` and then either two characters from a table of letter codes (Latin, Greek, Cyrillic and a
 * few more ranges: `é` is `@0p`) or, for characters outside that table, its code point in four
 * lower-case hex digits (`,` is `@002c`, `日` is `@65e5`). The letter table is not reproduced: a
 * non-ASCII character matches either form, and a pairing is kept only when it is the only one
 * possible (two tables `café` and `cafè` both fit both encodings, so neither is paired). Pure.
 */

const SAFE = /^[0-9A-Za-z_]$/;
const hex4 = (cp: number): string => cp.toString(16).padStart(4, '0');

/**
 * A name in InnoDB's file-name encoding, for ASCII names only (undefined otherwise): `[0-9A-Za-z_]`
 * stay, every other character is `@` and its code in four lower-case hex digits (`a,b` is
 * `a@002cb`).
 */
export function filenameOfAscii(name: string): string | undefined {
  if (!/^[\x01-\x7f]*$/.test(name)) return undefined;
  return name.replace(/[^0-9A-Za-z_]/g, (c) => `@${hex4(c.charCodeAt(0))}`);
}

/** Whether `name` can be stored by InnoDB as `encoded` (for a non-ASCII letter, either form). */
export function couldEncodeTo(name: string, encoded: string): boolean {
  const chars = [...name];
  const memo = new Map<number, boolean>();
  const at = (i: number, j: number): boolean => {
    if (i === chars.length) return j === encoded.length;
    const key = i * (encoded.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const c = chars[i]!;
    const cp = c.codePointAt(0)!;
    let ok: boolean;
    if (cp < 0x80 && SAFE.test(c)) ok = encoded[j] === c && at(i + 1, j + 1);
    else if (encoded[j] !== '@') ok = false;
    else {
      ok = encoded.startsWith(hex4(cp), j + 1) && at(i + 1, j + 5);
      // A letter code: two characters, each from '0' (0x30) to DEL (0x7f).
      if (!ok && cp >= 0x80 && /^[\x30-\x7f]{2}$/.test(encoded.slice(j + 1, j + 3))) ok = at(i + 1, j + 3);
    }
    memo.set(key, ok);
    return ok;
  };
  return at(0, 0);
}

/**
 * Pairs names with encoded names: an ASCII name with its exact encoding; any other name with the one
 * encoded name left that it could be, when no other name left could be that one too. Names without
 * a certain pair are left out. Returns encoded name → name.
 */
export function pairEncodedNames(names: Iterable<string>, encodedNames: Iterable<string>): Map<string, string> {
  const pool = new Set(encodedNames);
  const out = new Map<string, string>();
  const rest: string[] = [];
  for (const n of names) {
    const exact = filenameOfAscii(n);
    if (exact === undefined) rest.push(n);
    else if (pool.delete(exact)) out.set(exact, n);
  }
  const fitsOf = new Map(rest.map((n) => [n, [...pool].filter((e) => couldEncodeTo(n, e))]));
  const namesFitting = new Map<string, number>();
  for (const fits of fitsOf.values()) for (const e of fits) namesFitting.set(e, (namesFitting.get(e) ?? 0) + 1);
  for (const [n, fits] of fitsOf) if (fits.length === 1 && namesFitting.get(fits[0]!) === 1) out.set(fits[0]!, n);
  return out;
}
