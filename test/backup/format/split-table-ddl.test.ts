/** The CREATE a restore runs reproduces the source's SHOW CREATE TABLE on MySQL and MariaDB alike. */
import { describe, expect, it } from 'vitest';
import { dropInheritedCollation, splitTableDdl } from '../../../backup/format/split-table-ddl.js';

const UNICODE = 'utf8mb4_unicode_ci';

describe('dropInheritedCollation', () => {
  it.each([
    // MySQL prints the table's own collation on columns: dropped, so the column inherits it again.
    ['  `s` varchar(5) COLLATE utf8mb4_unicode_ci NOT NULL', '  `s` varchar(5) NOT NULL'],
    ["  `k` enum('a','b') COLLATE utf8mb4_unicode_ci DEFAULT 'a'", "  `k` enum('a','b') DEFAULT 'a'"],
    // Explicit in the source (CHARACTER SET printed), another collation, or a longer name: kept.
    ['  `s` varchar(5) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL', null],
    ['  `s` varchar(5) COLLATE utf8mb4_bin NOT NULL', null],
    ['  `s` varchar(5) COLLATE utf8mb4_unicode_ci_x NOT NULL', null],
    // Inside a name, a string or a generation expression: not the column's clause.
    ["  `s COLLATE utf8mb4_unicode_ci` varchar(5) DEFAULT ' COLLATE utf8mb4_unicode_ci'", null],
    ['  `g` varchar(9) GENERATED ALWAYS AS ((`s` COLLATE utf8mb4_unicode_ci)) VIRTUAL', null],
    ['  `id` int NOT NULL', null],
  ])('%s', (line, expected) => {
    expect(dropInheritedCollation(line, UNICODE)).toBe(expected ?? line);
  });

  it('is applied to the CREATE of a table restored from MySQL DDL, and only to column lines', () => {
    const ddl = [
      'CREATE TABLE `a` (',
      '  `id` int NOT NULL,',
      '  `s` varchar(5) COLLATE utf8mb4_unicode_ci NOT NULL,',
      '  PRIMARY KEY (`id`)',
      ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
    ].join('\n');
    const split = splitTableDdl('a', ddl, { defer: false });
    expect(split.createSql).toBe(ddl.replace(' COLLATE utf8mb4_unicode_ci NOT NULL', ' NOT NULL'));
    expect(split.columns).toEqual(['id', 's']);
  });
});
