/** Regression cases the torture test found (each names its seed or failure class); see regressions.test.ts. */
import { type NamedCase, script, T } from './regression-case.js';

/** Cases found by generated schemas and workloads, shrunk to their cause. */
export const FOUND_CASES: NamedCase[] = [
  ['a column named `c` does not blind verify (chunk checksums GROUP BY c)', script({
    // GROUP BY c groups by the user's column: rows 1 and 2 (c = 1, 2) share chunk 0 and one
    // group's sums overwrite the other's, so a change in row 1 goes unseen.
    ddl: [`CREATE TABLE t (id INT PRIMARY KEY, c INT NOT NULL, v VARCHAR(10) NOT NULL) ${T}`],
    load: ["INSERT INTO t VALUES (1, 1, 'x'), (2, 2, 'x'), (3, 3, 'x'), (4, 4, 'x'), (5, 5, 'x'), (6, 6, 'x')"],
    tamper: 4, // trailing space in v of the first row
  })],
  ['verify reports no drift where the oracle finds none: cp932 key, column `c`, partitioned (torture seed 1029, shrunk)', script({
    ddl: ["CREATE TABLE `t0` (\n  `k` VARCHAR(38) CHARACTER SET cp932 COLLATE cp932_japanese_ci NOT NULL,\n  `col` FLOAT NULL INVISIBLE,\n  `c` TINYINT UNSIGNED NULL DEFAULT (1+1),\n  PRIMARY KEY (`k`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci PARTITION BY KEY() PARTITIONS 3", "CREATE VIEW `v_0` AS SELECT * FROM `t0`"],
    load: ["INSERT IGNORE INTO `t0` (`k`) VALUES (_utf8mb4'')", "INSERT IGNORE INTO `t0` (`k`, `col`, `c`) VALUES (_utf8mb4 X'c48ef09d8598f09d85a5e29ab0e19cae24f0afa6bef09d86b9f09d85a5e2b5a2', NULL, 991), (_utf8mb4 X'616263', 16777217e0, NULL)"],
    steps: [["UPDATE `t0` SET `col` = 3.1415927e0 WHERE MOD(CRC32(CONCAT_WS('|', HEX(`k`))), 2) = 1", "DELETE FROM `t0` WHERE MOD(CRC32(CONCAT_WS('|', HEX(`k`))), 3) = 2", "START TRANSACTION", "DELETE FROM `t0` WHERE MOD(CRC32(CONCAT_WS('|', HEX(`k`))), 6) = 1", "UPDATE `t0` SET `c` = NULL, `col` = -0.000145193597e0 WHERE MOD(CRC32(CONCAT_WS('|', HEX(`k`))), 4) = 2", "INSERT INTO `t0` (`k`, `c`) VALUES (_utf8mb4 X'eaa486e1ae95', -1), (_utf8mb4 X'612025e697a5e697a5e697a5', 820)", "INSERT INTO `t0` (`k`, `col`, `c`) VALUES (_utf8mb4 X'e0b4a1e18d91e2a693f096b981eaa892e2b799f096b9b5', 6.89344081e-25, 246), (_utf8mb4 X'd0b6e282ac2062efbdb15cf09f988022255c', 3.1415927e0, -1)", "ROLLBACK", "REPLACE INTO `t0` (`k`, `col`, `c`) VALUES (_utf8mb4 X'e282ac2209c39f0941c2a50961c39f', 0.00000606639651e0, NULL)", "START TRANSACTION", "INSERT INTO `t0` (`k`, `col`, `c`) VALUES (_utf8mb4 X'7af09f988041c3890922e697a55c30', -1.44152806e+15, 0), (_utf8mb4 X'6120', NULL, 882)", "ROLLBACK", "UPDATE `t0` SET `k` = `k` + 1000 WHERE 1=1 ORDER BY `k` DESC", "UPDATE `t0` SET `c` = NULL WHERE MOD(CRC32(CONCAT_WS('|', HEX(`k`))), 4) = 1"], ["SET time_zone = '+13:45'", "INSERT INTO `t0` (`k`, `c`) VALUES (_utf8mb4 X'c39f22005fc2a5d0b6d0b6efbdb1', 1) ON DUPLICATE KEY UPDATE `col` = 6.26606575e+19", "UPDATE `t0` SET `k` = _utf8mb4 X'f09388ad' WHERE 1=1 LIMIT 1", "INSERT INTO `t0` (`k`, `col`, `c`) SELECT `k`, `col`, `c` FROM `t0` WHERE MOD(CRC32(CONCAT_WS('|', HEX(`k`))), 3) = 1 LIMIT 3", "SET time_zone = '-03:30'", "UPDATE `t0` SET `k` = _utf8mb4 X'e697a56141f09f98805c' WHERE MOD(CRC32(CONCAT_WS('|', HEX(`k`))), 4) = 1 LIMIT 1", "INSERT INTO `t0` (`k`, `col`, `c`) VALUES (_utf8mb4 X'25e697a562c39fc39f5c4242f09f9880', 16777217e0, 2)", "INSERT INTO `t0` (`k`, `c`) VALUES (_utf8mb4 X'5f42e697a50000', 137)", "INSERT INTO `t0` (`k`, `col`, `c`) VALUES (_utf8mb4 X'20d0965c5ff09f988041d0b6', -4.03876907e-36, 750)"], ["REPLACE INTO `t0` (`k`, `col`, `c`) VALUES (_utf8mb4 X'd0965f00efbdb130', 1.82168800e-44, 121), (_utf8mb4 X'416263', 3.1415927e0, 4), (_utf8mb4 X'416263', 1.54142831e-44, 125)", "REPLACE INTO `t0` (`k`, `col`) VALUES (_utf8mb4 X'5c', 3.40281758e+38)", "INSERT IGNORE INTO `t0` (`k`, `col`) VALUES (_utf8mb4 X'414243', NULL)", "INSERT INTO `t0` (`k`, `col`, `c`) SELECT `k`, `col`, `c` FROM `t0` WHERE MOD(CRC32(CONCAT_WS('|', HEX(`k`))), 6) = 4 LIMIT 3"], ["INSERT INTO `t0` (`k`, `col`, `c`) VALUES (_utf8mb4 X'0a415f30', 7.24872459e-37, 935) ON DUPLICATE KEY UPDATE `c` = 8", "START TRANSACTION", "REPLACE INTO `t0` (`k`, `col`) VALUES (_utf8mb4 X'd0b6c389e282ac2530c3a9f09f9880', -3.4028234e38)", "REPLACE INTO `t0` (`k`, `col`, `c`) VALUES (_utf8mb4 X'e2a9adeaa185', NULL, 159), (_utf8mb4 X'41', NULL, 255)", "COMMIT", "SET sql_mode = DEFAULT", "INSERT IGNORE INTO `t0` (`k`, `col`, `c`) VALUES (_utf8mb4 X'e38187', 3.4028234e38, 488), (_utf8mb4 X'27', NULL, 62)", "INSERT IGNORE INTO `t0` (`k`, `col`, `c`) VALUES (_utf8mb4 X'6120', -7.29278601e+32, NULL), (_utf8mb4 X'e2a893f09082a0', -7.77213599e+18, 255)"]],
    chunkRows: 2,
  })],
  ['FLOAT keeps every digit through backup and restore (and incremental)', script({
    ddl: [`CREATE TABLE t (id INT PRIMARY KEY, f FLOAT NULL, d DOUBLE NULL) ${T}`],
    load: ['INSERT INTO t VALUES (1, 1.2345678e0, 0.30000000000000004e0), (2, 3.4028234e38, 2.2250738585072014e-308), (3, 16777217e0, 9007199254740993e0)'],
    steps: [['UPDATE t SET f = 1.1754944e-38 WHERE id = 2', 'INSERT INTO t VALUES (4, 0.1e0, 0.1e0)']],
  })],
  ['a cascade three levels deep after a child was re-parented is followed by incremental', script({
    ddl: [
      `CREATE TABLE a (id INT PRIMARY KEY) ${T}`,
      `CREATE TABLE b (id INT PRIMARY KEY, a_id INT NOT NULL, FOREIGN KEY (a_id) REFERENCES a (id) ON DELETE CASCADE) ${T}`,
      `CREATE TABLE c (id INT PRIMARY KEY, b_id INT NOT NULL, FOREIGN KEY (b_id) REFERENCES b (id) ON DELETE CASCADE) ${T}`,
    ],
    load: ['INSERT INTO a VALUES (1), (2)', 'INSERT INTO b VALUES (10, 1), (20, 2)', 'INSERT INTO c VALUES (100, 10), (200, 20)'],
    steps: [['UPDATE b SET a_id = 2 WHERE id = 10', 'DELETE FROM a WHERE id = 2']],
  })],
  ['a cascade three levels deep reaches a child re-parented in the previous step', script({
    ddl: [
      `CREATE TABLE a (id INT PRIMARY KEY) ${T}`,
      `CREATE TABLE b (id INT PRIMARY KEY, a_id INT NOT NULL, FOREIGN KEY (a_id) REFERENCES a (id) ON DELETE CASCADE) ${T}`,
      `CREATE TABLE c (id INT PRIMARY KEY, b_id INT NOT NULL, FOREIGN KEY (b_id) REFERENCES b (id) ON DELETE CASCADE) ${T}`,
    ],
    load: ['INSERT INTO a VALUES (1), (2), (3)', 'INSERT INTO b VALUES (10, 1), (20, 2)', 'INSERT INTO c VALUES (100, 10), (200, 20)'],
    steps: [['UPDATE b SET a_id = 3 WHERE id = 10'], ['DELETE FROM a WHERE id = 3']],
  })],
  ['ON UPDATE CASCADE of a _ci key changed only by case reaches the children', script({
    ddl: [
      `CREATE TABLE p (code VARCHAR(10) NOT NULL PRIMARY KEY) ${T}`,
      `CREATE TABLE ch (id INT PRIMARY KEY, code VARCHAR(10) NOT NULL, FOREIGN KEY (code) REFERENCES p (code) ON UPDATE CASCADE) ${T}`,
    ],
    load: ["INSERT INTO p VALUES ('abc'), ('x')", "INSERT INTO ch VALUES (1, 'abc'), (2, 'x')"],
    steps: [["UPDATE p SET code = 'ABC' WHERE code = 'abc'"]],
  })],
  ['a system-versioned table (MariaDB; on MySQL, which has none, a MyISAM table) is mirrored exactly or refused by name, never skipped in silence', (f) => f.systemVersioning
    ? script({
      ddl: [`CREATE TABLE v (id INT PRIMARY KEY, n INT) ${T} WITH SYSTEM VERSIONING`],
      load: ['INSERT INTO v VALUES (1, 1), (2, 2)'],
      steps: [['UPDATE v SET n = 3 WHERE id = 1']],
    })
    : {
      // MySQL's refusal path: a source table that is not InnoDB is refused by name (UnsupportedTableError).
      ...script({
        ddl: [`CREATE TABLE v (id INT PRIMARY KEY, n INT) ENGINE=MyISAM DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`],
        load: ['INSERT INTO v VALUES (1, 1), (2, 2)'],
        steps: [['UPDATE v SET n = 3 WHERE id = 1']],
      }),
      refused: true,
    }],
  ['a DOUBLE primary key at ±DBL_MAX and the smallest normal survives incremental syncs (torture seed 2 on MySQL: the logged key -1.797693134862316e308 was an "Illegal double")', script({
    ddl: [`CREATE TABLE t (k DOUBLE NOT NULL PRIMARY KEY, f FLOAT NULL) ${T}`],
    load: ['INSERT INTO t VALUES (1.7976931348623157e308, 1), (-2.2250738585072014e-308, 2), (3.4584595208887258e-323, 3)'],
    steps: [
      ['REPLACE INTO t VALUES (-1.7976931348623157e308, 0.1e0), (9007199254740993e0, 1.2345679e0), (-1.2345678901234567e-300, NULL)'],
      ['UPDATE t SET f = 7 WHERE k < 0', 'DELETE FROM t WHERE k > 1e300'],
      ['DELETE FROM t WHERE 1=1'],
    ],
    chunkRows: 2,
  })],
  ['JSON (MySQL: its binary type) keeps 64-bit integers, the largest doubles, -0.0 and normalized objects through mirror, verify, backup and restore', (f) => script({
    ddl: [`CREATE TABLE j (id INT PRIMARY KEY, j JSON NULL) ${T}`],
    load: f.binaryJson
      ? ["INSERT INTO j VALUES (1, JSON_ARRAY(18446744073709551615, -9223372036854775808, 1.7976931348623157e308, -0.0e0, 2.0e0, _utf8mb4 X'78e282ac00')), (2, CAST(_utf8mb4'{\"b\": 1, \"a\": [1, 2.0], \"a\": null}' AS JSON)), (3, NULL), (4, CAST('\"\"' AS JSON))"]
      : ["INSERT INTO j VALUES (1, '[18446744073709551615, -9223372036854775808, 1.7976931348623157e308, -0.0, 2.0]'), (2, '{\"b\": 1, \"a\": null}'), (3, NULL), (4, '\"\"')"],
    steps: [[f.binaryJson ? "UPDATE j SET j = JSON_SET(j, '$.c', CAST(-1.7976931348623157e308 AS JSON)) WHERE id = 2" : "UPDATE j SET j = JSON_SET(j, '$.c', -1.7976931348623157e308) WHERE id = 2"]],
    tamper: 2,
  })],
  ['a keyless table given an invisible primary key by sql_generate_invisible_primary_key (MySQL; on MariaDB a keyless table with an INVISIBLE column) is mirrored with its my_row_id', (f) => script({
    ddl: f.invisiblePk
      ? ['SET SESSION sql_generate_invisible_primary_key = ON', `CREATE TABLE g (n INT NOT NULL, s VARCHAR(5) NULL) ${T}`, 'SET SESSION sql_generate_invisible_primary_key = OFF']
      : [`CREATE TABLE g (n INT NOT NULL, s VARCHAR(5) NULL, my_row_id BIGINT UNSIGNED NULL INVISIBLE) ${T}`],
    load: ["INSERT INTO g (n, s) VALUES (1, 'a'), (1, 'a'), (2, NULL)"],
    steps: [["UPDATE g SET s = 'b' WHERE n = 2", 'DELETE FROM g WHERE n = 1 LIMIT 1'], ["INSERT INTO g (n, s) VALUES (3, 'c')"]],
  })],
  ['a functional index (MySQL) and an index on a VIRTUAL column do not stop mirror, verify, backup or restore (MySQL\'s MyISAM refused the mirror: "Index on virtual generated column")', (f) => script({
    ddl: f.functionalIndexes
      ? [`CREATE TABLE fx (id INT PRIMARY KEY, s VARCHAR(10) NOT NULL, j JSON NULL, ls VARCHAR(10) AS (LOWER(s)) VIRTUAL, KEY vx (ls), KEY fx ((LOWER(s)), (CAST(JSON_EXTRACT(j, '$.a') AS CHAR(20)) COLLATE utf8mb4_bin))) ${T}`]
      : [`CREATE TABLE fx (id INT PRIMARY KEY, s VARCHAR(10) NOT NULL, j JSON NULL, ls VARCHAR(10) AS (LOWER(s)) VIRTUAL, KEY fx (ls)) ${T}`],
    load: [`INSERT INTO fx (id, s, j) VALUES (1, 'AbC', '{"a": "x"}'), (2, 'abc', NULL), (3, 'Ж', '{"a": 1}')`],
    steps: [["UPDATE fx SET s = 'ABC' WHERE id = 2", "INSERT INTO fx (id, s) VALUES (4, 'q')"]],
  })],
  ['tables named with a dot, a backslash and a backtick back up and restore', script({
    ddl: [`CREATE TABLE \`a.b\` (id INT PRIMARY KEY) ${T}`, `CREATE TABLE \`a\\b\` (id INT PRIMARY KEY) ${T}`, `CREATE TABLE \`a\`\`b\` (id INT PRIMARY KEY) ${T}`],
    load: ['INSERT INTO `a.b` VALUES (1)', 'INSERT INTO `a\\b` VALUES (2)', 'INSERT INTO `a``b` VALUES (3)'],
  })],
  ['TRUNCATE of an oddly named table and of a partitioned table reaches the mirror', script({
    ddl: [`CREATE TABLE \`my tbl\` (id INT PRIMARY KEY) ${T}`, `CREATE TABLE part (id INT PRIMARY KEY) ${T} PARTITION BY KEY() PARTITIONS 3`],
    load: ['INSERT INTO `my tbl` VALUES (1), (2)', 'INSERT INTO part VALUES (1), (2), (3)'],
    steps: [['UPDATE `my tbl` SET id = id + 10'], ['UPDATE part SET id = id + 10'], ['TRUNCATE TABLE `my tbl`', 'TRUNCATE TABLE part']],
  })],
  ['TRUNCATE of a table whose name has a comma reaches the mirror (torture seed 201)', script({
    ddl: [`CREATE TABLE \`a,b\` (k INT PRIMARY KEY, v INT) ${T}`],
    load: ['INSERT INTO `a,b` VALUES (1, 1), (2, 2), (3, 3)'],
    steps: [['UPDATE `a,b` SET v = 9 WHERE k = 1'], ['UPDATE `a,b` SET v = 8 WHERE k = 2'], ['TRUNCATE TABLE `a,b`', 'INSERT INTO `a,b` VALUES (5, 5)']],
  })],
  ['an ENUM holding the error value \'\' (index 0) backs up and restores (torture seed 200)', script({
    ddl: [`CREATE TABLE t (id INT PRIMARY KEY, e ENUM('a', 'b') NOT NULL) ${T}`],
    load: ["SET sql_mode = ''", "INSERT INTO t VALUES (1, 'zzz'), (2, 'a'), (3, 0)"],
  })],
  ['TRUNCATE of a plainly named table after the shadow set is primed reaches the mirror', script({
    ddl: [`CREATE TABLE plain (k INT PRIMARY KEY, v INT) ${T}`],
    load: ['INSERT INTO plain VALUES (1, 1), (2, 2), (3, 3)'],
    steps: [['UPDATE plain SET v = 9 WHERE k = 1'], ['UPDATE plain SET v = 8 WHERE k = 2'], ['TRUNCATE TABLE plain', 'INSERT INTO plain VALUES (5, 5)']],
  })],
  ['an ENUM\'s error value \'\' (index 0) stays apart from a member \'\' (torture seed 207)', script({
    ddl: [`CREATE TABLE t (n INT NULL, e ENUM('', 'a') NULL) ${T}`],
    load: ["SET sql_mode = ''", "INSERT INTO t VALUES (1, 0), (2, ''), (3, 'zzz')"],
    steps: [['UPDATE t SET n = 20 WHERE n = 2'], ['INSERT INTO t (n, e) SELECT n, e FROM t WHERE n = 1']],
  })],
  ['an ENUM error value \'\' (index 0) in a primary key beside a \'\' member: incremental deletes and updates reach the right row (torture seed 10019)', script({
    ddl: [`CREATE TABLE t (k ENUM('', 'x') NOT NULL, d DATE NOT NULL, v INT NULL, PRIMARY KEY (k, d)) ${T}`],
    load: ["SET sql_mode = ''", "INSERT INTO t VALUES (0, '2024-01-01', 1), ('', '2024-01-01', 2), ('x', '2024-01-01', 3)"],
    steps: [
      ["SET sql_mode = ''", 'UPDATE t SET v = 10 WHERE k + 0 = 0'],
      ["SET sql_mode = ''", 'DELETE FROM t WHERE k + 0 = 0', 'UPDATE t SET v = 20 WHERE k + 0 = 1'],
      ["SET sql_mode = ''", 'DELETE FROM t WHERE 1=1'],
    ],
  })],
  ['a foreign key to a column named with parentheses restores (torture seed 30082: the DDL reader cut the column list at the `)`)', script({
    ddl: ["CREATE TABLE `t0` (`(paren)` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, `parent` BIGINT UNSIGNED NULL, PRIMARY KEY (`(paren)`), CONSTRAINT `fk_0_self` FOREIGN KEY (`parent`) REFERENCES `t0` (`(paren)`) ON DELETE CASCADE) " + T],
    load: ['INSERT INTO `t0` (`parent`) VALUES (NULL)', 'INSERT INTO `t0` (`parent`) VALUES (1)'],
    chunkRows: 2,
  })],
  ['cross-server: an ENUM\'s error value \'\' is copied as itself, and verify sees it if not (torture corpus seed 7)', script({
    ddl: [`CREATE TABLE t (id INT PRIMARY KEY, e ENUM('a', '', 'b') NOT NULL) ${T}`],
    load: ["SET sql_mode = ''", "INSERT INTO t VALUES (1, 0), (2, ''), (3, 'b')"],
    crossServer: true,
  })],
  ['cross-server: GEOMETRY and POINT columns are streamed exactly (torture corpus seed 3)', script({
    ddl: [`CREATE TABLE t (id INT PRIMARY KEY, g GEOMETRY NULL, p POINT NULL) ${T}`],
    load: ["INSERT INTO t VALUES (1, ST_GeomFromText('LINESTRING(0 0, 1 1e300)'), ST_GeomFromText('POINT(0.1 -123.456789012345)')), (2, NULL, ST_GeomFromText('POINT(1 2)'))"],
    steps: [["UPDATE t SET p = ST_GeomFromText('POINT(3 4)') WHERE id = 2"]],
    crossServer: true,
  })],
  ['cross-server: TIME values and a partitioned table\'s TRUNCATE (torture corpus seed 1)', script({
    ddl: [`CREATE TABLE t (k TINYINT UNSIGNED PRIMARY KEY, seq TIME(6) NOT NULL) ${T} PARTITION BY KEY() PARTITIONS 3`],
    load: ["INSERT INTO t VALUES (1, '708:02:34.834043'), (2, '-838:59:59'), (3, '00:00:00.5')"],
    steps: [['UPDATE t SET k = k + 10 WHERE k = 3'], ['TRUNCATE TABLE t', "INSERT INTO t VALUES (9, '-1:00:00')"]],
    crossServer: true,
  })],
  ['cross-server: FLOAT is streamed with every digit, and verify sees the 7th (torture seed 3001)', script({
    ddl: [`CREATE TABLE t (id INT PRIMARY KEY, f FLOAT NOT NULL) ${T}`],
    load: ['INSERT INTO t VALUES (1, 1.2345678e0), (2, 3.4028234e38)'],
    crossServer: true,
  })],
  ['cross-server: FLOAT keys equal in their first 6 digits stay two rows (torture seed 3005: Duplicate entry \'1.23457\')', script({
    ddl: [`CREATE TABLE t (k FLOAT NOT NULL PRIMARY KEY, v INT) ${T}`],
    load: ['INSERT INTO t VALUES (1.2345678e0, 1), (1.2345679e0, 2)'],
    crossServer: true,
  })],
  ['cross-server: verify of sjis, cp932 and utf8mb4 columns side by side does not throw a plain Error (torture seed 3003)', script({
    ddl: [`CREATE TABLE t (k VARCHAR(1) CHARACTER SET sjis NOT NULL PRIMARY KEY, a CHAR(1) CHARACTER SET cp932 NOT NULL, b CHAR(1) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL) ${T}`],
    load: ["INSERT INTO t VALUES (_utf8mb4'ｱ', _utf8mb4'日', _utf8mb4'é'), (_utf8mb4'', _utf8mb4'', _utf8mb4'')"],
    crossServer: true,
  })],
  ['cross-server: a latin1 key part beside another key column: incremental reaches a row keyed \'€\' (torture seed 20026: `(a, b) IN ((…), (…))` missed it)', script({
    // MariaDB 10.11 compares a row IN list of several tuples wrongly when a latin1 (or big5…)
    // column meets a utf8mb4 literal: `(k, n) IN (('€', 1), ('a', 1))` finds only the 'a' row.
    ddl: [`CREATE TABLE t (k VARCHAR(1) CHARACTER SET latin1 NOT NULL, n INT NOT NULL, v INT NULL, PRIMARY KEY (k, n)) ${T}`],
    load: ["INSERT INTO t VALUES (_utf8mb4'€', 1, 0), ('a', 1, 0)"],
    steps: [['UPDATE t SET v = 1'], ['UPDATE t SET v = 2']],
    crossServer: true,
  })],
];
